package io.kekvault.kmip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** The data files under src/test/resources: OASIS vectors and the vCenter capture. */
public final class TestData {
    private TestData() {
    }

    public static Path resource(String name) {
        try {
            var url = TestData.class.getResource("/" + name);
            if (url == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every vector file of v1.4 and v2.0, sorted. */
    public static List<Path> vectorFiles() {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("kmip-vectors/v1.4", "kmip-vectors/v2.0")) {
            try (Stream<Path> s = Files.list(resource(dir))) {
                s.filter(p -> p.toString().endsWith(".xml")).sorted().forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    public record VcenterRequest(String name, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The requests of vcenter-7.0.3.hex, in order. */
    public static List<VcenterRequest> vcenterRequests() {
        try {
            List<VcenterRequest> out = new ArrayList<>();
            for (String line : Files.readAllLines(resource("vcenter-trace/vcenter-7.0.3.hex"))) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] parts = t.split("\\s+");
                out.add(new VcenterRequest(parts[0], HexFormat.of().parseHex(parts[1])));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
