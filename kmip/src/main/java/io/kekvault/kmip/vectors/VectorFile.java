package io.kekvault.kmip.vectors;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.ttlv.KmipXml;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TextCodecOptions;
import io.kekvault.kmip.ttlv.TtlvItem;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One OASIS test-case file in the KMIP XML encoding: a sequence of request / expected-response
 * pairs, read with placeholders kept ({@code $NOW}, {@code $UNIQUE_IDENTIFIER_0}...).
 */
public record VectorFile(Path path, List<Step> steps) {

    /** A request to send and the response the server must give (placeholders matched by type). */
    public record Step(TtlvItem request, TtlvItem expectedResponse) {
    }

    public VectorFile {
        steps = List.copyOf(steps);
    }

    public String name() {
        String n = path.getFileName().toString();
        return n.endsWith(".xml") ? n.substring(0, n.length() - 4) : n;
    }

    public static VectorFile read(Path file) throws IOException, KmsException {
        List<TtlvItem> messages;
        try (InputStream in = Files.newInputStream(file)) {
            messages = KmipXml.readAll(in, TextCodecOptions.VECTORS);
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < messages.size(); i += 2) {
            TtlvItem req = messages.get(i);
            TtlvItem resp = i + 1 < messages.size() ? messages.get(i + 1) : null;
            if (!req.tag().equals(Tag.REQUEST_MESSAGE) || resp == null || !resp.tag().equals(Tag.RESPONSE_MESSAGE)) {
                throw new InvalidRequestException(ResultReason.INVALID_MESSAGE,
                        file.getFileName() + ": message " + i + " does not start a request/response pair", null);
            }
            steps.add(new Step(req, resp));
        }
        return new VectorFile(file, steps);
    }

    /** Every {@code *.xml} file of {@code dir} (not recursive), sorted by name. */
    public static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
        }
    }
}
