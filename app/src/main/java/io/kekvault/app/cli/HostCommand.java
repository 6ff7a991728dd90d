package io.kekvault.app.cli;

import io.kekvault.esxi.host.HostConfig;
import io.kekvault.esxi.host.HostRuntime;
import io.kekvault.esxi.host.JobProbe;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault host --config FILE}: runs the simulated ESXi hosts of a config until SIGTERM. */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = {"Run simulated ESXi hosts (one or many in this process).",
            "  host --config FILE      hosts, clusters, datastores and key providers (see docs/host-config.md)",
            "Prints one 'ready host=ID https=URL ...' line per host, then 'ready hosts=N'."})
public final class HostCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, description = "host config file (YAML)")
    Path config;

    @Override
    public Integer call() throws Exception {
        HostConfig.Resolved resolved = HostConfig.load(config);
        HostRuntime runtime = HostRuntime.start(resolved, JobProbe.NONE);
        return serve(runtime);
    }

    /** Prints the ready lines and blocks until the process is told to stop. */
    public static int serve(HostRuntime runtime) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "host-shutdown"));
        for (HostRuntime.Running r : runtime.hosts()) {
            System.out.println("ready host=" + r.host().id() + " https=" + r.url() + " identity=" + r.host().settings().identity()
                    + " cluster=" + r.host().settings().cluster() + " datastore=" + r.host().settings().datastore());
        }
        System.out.println("ready hosts=" + runtime.hosts().size());
        System.out.flush();
        stopped.await();
        return 0;
    }
}
