package io.kekvault.app;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP forwarder in its own process, standing for a KMS endpoint that dies: one loopback
 * listener per target port, bytes copied both ways (TLS passes through untouched, so the KMS
 * certificate and the client's are checked end to end). Prints {@code ready ports=a,b,...}.
 * Killed with SIGKILL by tests, its connections reset like a crashed server's.
 */
public final class TcpProxyMain {
    private TcpProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (String a : args) {
            int target = Integer.parseInt(a);
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ports.add(server.getLocalPort());
            Thread.ofVirtual().start(() -> accept(server, target));
        }
        System.out.println("ready ports=" + String.join(",", ports.stream().map(String::valueOf).toList()));
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static void accept(ServerSocket server, int target) {
        while (true) {
            try {
                Socket in = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (in; Socket out = new Socket()) {
                        out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                        Thread back = Thread.ofVirtual().start(() -> copy(out, in));
                        copy(in, out);
                        back.join();
                    } catch (IOException | InterruptedException ignored) {
                        // one connection ends; the proxy goes on
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void copy(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException ignored) {
            // reset or closed
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
