package io.kekvault.app.cli;

import io.kekvault.pki.InitOptions;
import io.kekvault.pki.IssueOptions;
import io.kekvault.pki.KeyAlgorithm;
import io.kekvault.pki.PkiException;
import io.kekvault.pki.PkiService;
import io.kekvault.pki.SignCsrOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kekvault pki ...}: the KMS's own small CA. */
@Command(name = "pki", description = "The KMS's CA: init, issue, sign-csr, show, csr.",
        subcommands = {PkiCommand.Init.class, PkiCommand.Issue.class, PkiCommand.SignCsr.class, PkiCommand.Show.class,
            PkiCommand.Csr.class})
public final class PkiCommand {

    static int fail(PkiException e) {
        System.err.println("pki: " + e.getMessage());
        return 2;
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create the CA and the server certificate (loopback SANs).")
    static final class Init implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--san", description = "extra subject alternative name (DNS:name or IP:addr), repeatable") List<String> sans = List.of();
        @Option(names = "--key-algorithm", defaultValue = "ec-p256", description = "ec-p256, rsa-2048 or rsa-3072") String alg;
        @Option(names = "--force", description = "replace an existing CA") boolean force;

        @Override
        public Integer call() {
            try {
                InitOptions o = InitOptions.defaults().withKeyAlgorithm(KeyAlgorithm.parse(alg)).withExtraSans(sans).withForce(force);
                System.out.println(new PkiService().init(dir, o).summary());
                return 0;
            } catch (PkiException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true, description = "Issue a client certificate and record the identity's role.")
    static final class Issue implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--cn", required = true, description = "identity (certificate CN)") String cn;
        @Option(names = "--role", required = true, description = "admin, host, auditor or client") String role;
        @Option(names = "--force") boolean force;

        @Override
        public Integer call() {
            try {
                System.out.println(new PkiService().issue(dir, cn, role, IssueOptions.defaults().withForce(force)).summary());
                return 0;
            } catch (PkiException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "sign-csr", mixinStandardHelpOptions = true,
            description = "Sign a client's CSR (the 'make KMS trust vCenter' flow); writes the certificate and prints the CA.")
    static final class SignCsr implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;
        @Option(names = "--csr", required = true) Path csr;
        @Option(names = "--role", required = true) String role;
        @Option(names = "--out", description = "also write the signed certificate here") Path out;
        @Option(names = "--force") boolean force;

        @Override
        public Integer call() throws Exception {
            try {
                var r = new PkiService().signCsr(dir, Files.readString(csr), role, SignCsrOptions.defaults().withForce(force));
                if (out != null) {
                    Files.writeString(out, r.certificatePem());
                }
                System.out.println(r.summary());
                return 0;
            } catch (PkiException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe every certificate in the PKI directory.")
    static final class Show implements Callable<Integer> {
        @Option(names = "--dir", required = true) Path dir;

        @Override
        public Integer call() {
            try {
                System.out.println(new PkiService().show(dir).summary());
                return 0;
            } catch (PkiException e) {
                return fail(e);
            }
        }
    }

    @Command(name = "csr", mixinStandardHelpOptions = true, description = "Make a key pair and CSR (the client side of sign-csr).")
    static final class Csr implements Callable<Integer> {
        @Option(names = "--cn", required = true) String cn;
        @Option(names = "--key", required = true) Path key;
        @Option(names = "--csr", required = true) Path csr;
        @Option(names = "--key-algorithm", defaultValue = "ec-p256") String alg;
        @Option(names = "--force") boolean force;

        @Override
        public Integer call() {
            try {
                System.out.println(new PkiService().writeKeyAndCsr(key, csr, cn, KeyAlgorithm.parse(alg), force).summary());
                return 0;
            } catch (PkiException e) {
                return fail(e);
            }
        }
    }
}
