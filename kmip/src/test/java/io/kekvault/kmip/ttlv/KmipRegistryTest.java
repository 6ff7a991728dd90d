package io.kekvault.kmip.ttlv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.message.BatchErrorContinuationOption;
import io.kekvault.kmip.message.BlockCipherMode;
import io.kekvault.kmip.message.CryptographicAlgorithm;
import io.kekvault.kmip.message.CryptographicUsageMask;
import io.kekvault.kmip.message.HashingAlgorithm;
import io.kekvault.kmip.message.KeyFormatType;
import io.kekvault.kmip.message.KeyRoleType;
import io.kekvault.kmip.message.LinkType;
import io.kekvault.kmip.message.NameType;
import io.kekvault.kmip.message.ObjectType;
import io.kekvault.kmip.message.Operation;
import io.kekvault.kmip.message.PaddingMethod;
import io.kekvault.kmip.message.ProtectionStorageMask;
import io.kekvault.kmip.message.QueryFunction;
import io.kekvault.kmip.message.ResultStatus;
import io.kekvault.kmip.message.RevocationReasonCode;
import io.kekvault.kmip.message.State;
import io.kekvault.kmip.message.WrappingMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class KmipRegistryTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "IV/Counter/Nonce|IVCounterNonce",
            "3DES|DES3",
            "SHA-256|SHA_256",
            "ANSI X9.31|ANSIX9_31",
            "Pre-Active|PreActive",
            "Template-Attribute|TemplateAttribute",
            "X.509 Certificate Identifier|X_509CertificateIdentifier",
            "PKCS#1 v1.5|PKCS_1V1_5",
            "Unique Batch Item ID|UniqueBatchItemID",
            "Re-key Key Pair|ReKeyKeyPair",
            "Unable to Cancel|UnableToCancel",
            "Polynomial Sharing GF (2^16)|PolynomialSharingGF2_16",
    })
    void normalize_followsTheKmipProfilesRule(String spec, String canonical) {
        assertThat(KmipRegistry.normalize(spec)).isEqualTo(canonical);
    }

    @Test
    void everyKnownTag_roundTripsThroughItsName() {
        List<Tag> tags = KmipRegistry.knownTags();
        assertThat(tags).hasSizeGreaterThan(360);
        for (Tag t : tags) {
            assertThat(Tag.forName(t.name())).as(t.hex()).contains(t);
            assertThat(Tag.forSpecName(t.specName().orElseThrow())).contains(t);
        }
        assertThat(Tag.UNIQUE_IDENTIFIER.name()).isEqualTo("UniqueIdentifier");
        assertThat(Tag.PROTOCOL_VERSION_MAJOR.name()).isEqualTo("ProtocolVersionMajor");
        assertThat(Tag.ASYNCHRONOUS_CORRELATION_VALUES.value()).isEqualTo(0x420176);
        assertThat(Tag.forSpecName("Cryptographic Algorithm")).contains(Tag.CRYPTOGRAPHIC_ALGORITHM);
    }

    @Test
    void extensionTag_hasHexNameAndParsesBack() {
        Tag ext = Tag.of(0x540001);
        assertThat(ext.isKnown()).isFalse();
        assertThat(ext.isExtension()).isTrue();
        assertThat(ext.name()).isEqualTo("0x540001");
        assertThat(Tag.forName("0x540001")).contains(ext);
    }

    @Test
    void masks_formatInTableOrderAndKeepUnnamedBits() {
        EnumTable usage = KmipRegistry.enumTable(Tag.CRYPTOGRAPHIC_USAGE_MASK).orElseThrow();
        assertThat(usage.isMask()).isTrue();
        assertThat(usage.formatMask(0x0C, " ")).isEqualTo("Encrypt Decrypt");
        assertThat(usage.formatMask(0x0C | 0x40000000, "|")).isEqualTo("Encrypt|Decrypt|0x40000000");
        assertThat(usage.formatMask(0, " ")).isEqualTo("0");
    }

    /** Every Java enum constant exists in the table of its tag with a name matching the constant. */
    @Test
    void javaEnums_agreeWithTheNameTables() {
        Map<Class<? extends Enum<?>>, Tag> enums = Map.ofEntries(
                Map.entry(Operation.class, Tag.OPERATION), Map.entry(ObjectType.class, Tag.OBJECT_TYPE),
                Map.entry(ResultStatus.class, Tag.RESULT_STATUS), Map.entry(State.class, Tag.STATE),
                Map.entry(CryptographicAlgorithm.class, Tag.CRYPTOGRAPHIC_ALGORITHM), Map.entry(BlockCipherMode.class, Tag.BLOCK_CIPHER_MODE),
                Map.entry(PaddingMethod.class, Tag.PADDING_METHOD), Map.entry(HashingAlgorithm.class, Tag.HASHING_ALGORITHM),
                Map.entry(NameType.class, Tag.NAME_TYPE), Map.entry(LinkType.class, Tag.LINK_TYPE),
                Map.entry(RevocationReasonCode.class, Tag.REVOCATION_REASON_CODE), Map.entry(KeyFormatType.class, Tag.KEY_FORMAT_TYPE),
                Map.entry(QueryFunction.class, Tag.QUERY_FUNCTION), Map.entry(BatchErrorContinuationOption.class, Tag.BATCH_ERROR_CONTINUATION_OPTION),
                Map.entry(CryptographicUsageMask.class, Tag.CRYPTOGRAPHIC_USAGE_MASK), Map.entry(KeyRoleType.class, Tag.KEY_ROLE_TYPE),
                Map.entry(WrappingMethod.class, Tag.WRAPPING_METHOD), Map.entry(ProtectionStorageMask.class, Tag.PROTECTION_STORAGE_MASK));
        for (var e : enums.entrySet()) {
            EnumTable table = KmipRegistry.enumTable(e.getValue()).orElseThrow();
            for (Enum<?> c : e.getKey().getEnumConstants()) {
                int value = ((KmipEnum) c).value();
                String spec = table.specName(value).orElseThrow(() -> new AssertionError(c + " has no table entry"));
                String expected = spec.equals("3DES") ? "TRIPLEDES" : squash(spec);
                assertThat(squash(c.name())).as(c.getDeclaringClass().getSimpleName() + "." + c).isEqualTo(expected);
            }
            assertThat(table.values()).hasSize(e.getKey().getEnumConstants().length);
        }
    }

    @Test
    void resultReasonEnum_agreesWithTheTable() {
        EnumTable table = KmipRegistry.enumTable(Tag.RESULT_REASON).orElseThrow();
        for (ResultReason r : ResultReason.values()) {
            assertThat(table.specName(r.value())).as(r.name()).isPresent();
            assertThat(squash(r.name())).isEqualTo(squash(table.specName(r.value()).orElseThrow()));
        }
        assertThat(table.values()).hasSize(ResultReason.values().length);
    }

    private static String squash(String s) {
        return s.replaceAll("[^A-Za-z0-9]", "").toUpperCase(Locale.ROOT);
    }

    /**
     * Cross-check against an independent implementation: PyKMIP's tag and enumeration values
     * (Debian python3-pykmip). Every PyKMIP tag must have the same value here, and every value of
     * the enumerations both define must exist in both.
     */
    @Test
    void tables_agreeWithPyKmip() throws Exception {
        Path script = Files.createTempFile("pykmip-enums", ".py");
        Files.writeString(script, """
                import json, enum
                from kmip.core import enums
                out = {}
                for name in dir(enums):
                    c = getattr(enums, name)
                    if isinstance(c, type) and issubclass(c, enum.Enum) and c is not enums.OrderedEnum:
                        vals = {m.name: m.value for m in c if isinstance(m.value, int)}
                        if vals:
                            out[name] = vals
                print(json.dumps(out))
                """);
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString()).redirectErrorStream(true).start();
        String json = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("python3-pykmip must be installed (apt-get install python3-pykmip): " + json).isZero();
        Files.delete(script);
        JsonNode py = new ObjectMapper().readTree(json);

        int checkedTags = 0;
        for (var e : py.get("Tags").properties()) {
            int v = e.getValue().asInt();
            if (v == 0x420000 || v == 0x420137) {
                continue; // PyKMIP's own default and a value KMIP 2.0 reserves
            }
            Tag t = Tag.of(v);
            assertThat(t.isKnown()).as("PyKMIP tag " + e.getKey()).isTrue();
            checkedTags++;
        }
        assertThat(checkedTags).isGreaterThan(350);

        Map<String, String> pairs = Map.ofEntries(Map.entry("Operation", "Operation"), Map.entry("ObjectType", "Object Type"),
                Map.entry("CryptographicAlgorithm", "Cryptographic Algorithm"), Map.entry("BlockCipherMode", "Block Cipher Mode"),
                Map.entry("PaddingMethod", "Padding Method"), Map.entry("HashingAlgorithm", "Hashing Algorithm"),
                Map.entry("State", "State"), Map.entry("ResultReason", "Result Reason"), Map.entry("ResultStatus", "Result Status"),
                Map.entry("LinkType", "Link Type"), Map.entry("KeyFormatType", "Key Format Type"), Map.entry("QueryFunction", "Query Function"),
                Map.entry("CryptographicUsageMask", "Cryptographic Usage Mask"), Map.entry("KeyRoleType", "Key Role Type"),
                Map.entry("RevocationReasonCode", "Revocation Reason Code"), Map.entry("NameType", "Name Type"),
                Map.entry("UniqueIdentifier", "Unique Identifier"), Map.entry("RecommendedCurve", "Recommended Curve"),
                Map.entry("ProtectionStorageMask", "Protection Storage Mask"), Map.entry("DigitalSignatureAlgorithm", "Digital Signature Algorithm"),
                Map.entry("WrappingMethod", "Wrapping Method"), Map.entry("BatchErrorContinuationOption", "Batch Error Continuation Option"));
        List<String> missing = new ArrayList<>();
        for (var pair : pairs.entrySet()) {
            EnumTable table = KmipRegistry.enumTableNamed(pair.getValue()).orElseThrow();
            for (var m : py.get(pair.getKey()).properties()) {
                if (table.name(m.getValue().asInt()).isEmpty()) {
                    missing.add(pair.getKey() + "." + m.getKey());
                }
            }
        }
        assertThat(missing).isEmpty();
    }
}
