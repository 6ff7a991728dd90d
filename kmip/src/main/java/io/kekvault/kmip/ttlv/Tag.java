package io.kekvault.kmip.ttlv;

import java.util.Optional;

/**
 * A KMIP tag: three bytes, {@code 0x42xxxx} for the standard tags and {@code 0x54xxxx} for
 * extensions. Any three-byte value can be represented, so unknown and extension tags pass
 * through the codecs unchanged; {@link #name()} gives the canonical XML/JSON name of a known
 * tag (for example {@code UniqueIdentifier}) and the hex form ({@code 0x540001}) otherwise.
 */
public record Tag(int value) implements Comparable<Tag> {

    public Tag {
        if (value < 0 || value > 0xFFFFFF) {
            throw new IllegalArgumentException("a tag is three bytes, got 0x" + Integer.toHexString(value));
        }
    }

    public static Tag of(int value) {
        return new Tag(value);
    }

    /** Canonical XML/JSON name of a known tag ({@code ProtocolVersionMajor}), else {@code 0x540001}. */
    public String name() {
        return KmipRegistry.tagName(value).orElseGet(this::hex);
    }

    /** The name as written in the specifications ({@code Protocol Version Major}), for known tags. */
    public Optional<String> specName() {
        return KmipRegistry.tagSpecName(value);
    }

    /** {@code 0x420094}-style hex form. */
    public String hex() {
        return String.format("0x%06X", value);
    }

    public boolean isKnown() {
        return KmipRegistry.tagSpecName(value).isPresent();
    }

    /** Tags in the {@code 0x54xxxx} range are reserved for vendor extensions. */
    public boolean isExtension() {
        return (value & 0xFF0000) == 0x540000;
    }

    /** Tags in the {@code 0x42xxxx} range are defined by the KMIP specifications. */
    public boolean isStandardRange() {
        return (value & 0xFF0000) == 0x420000;
    }

    /** Parses a canonical name ({@code UniqueIdentifier}) or a hex form ({@code 0x540001}). */
    public static Optional<Tag> forName(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.empty();
        }
        if (name.startsWith("0x") || name.startsWith("0X")) {
            String hex = name.substring(2);
            if (hex.isEmpty() || hex.length() > 6) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Tag(Integer.parseInt(hex, 16)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return KmipRegistry.tagForName(name).map(Tag::new);
    }

    /** The tag whose specification name is {@code specName} (the KMIP 1.x attribute name form, e.g. "Cryptographic Algorithm"). */
    public static Optional<Tag> forSpecName(String specName) {
        return KmipRegistry.tagForSpecName(specName).map(Tag::new);
    }

    @Override
    public int compareTo(Tag o) {
        return Integer.compare(value, o.value);
    }

    @Override
    public String toString() {
        return name();
    }

    public static final Tag ACTIVATION_DATE = new Tag(0x420001);
    public static final Tag APPLICATION_DATA = new Tag(0x420002);
    public static final Tag APPLICATION_NAMESPACE = new Tag(0x420003);
    public static final Tag APPLICATION_SPECIFIC_INFORMATION = new Tag(0x420004);
    public static final Tag ARCHIVE_DATE = new Tag(0x420005);
    public static final Tag ASYNCHRONOUS_CORRELATION_VALUE = new Tag(0x420006);
    public static final Tag ASYNCHRONOUS_INDICATOR = new Tag(0x420007);
    public static final Tag ATTRIBUTE = new Tag(0x420008);
    public static final Tag ATTRIBUTE_INDEX = new Tag(0x420009);
    public static final Tag ATTRIBUTE_NAME = new Tag(0x42000A);
    public static final Tag ATTRIBUTE_VALUE = new Tag(0x42000B);
    public static final Tag AUTHENTICATION = new Tag(0x42000C);
    public static final Tag BATCH_COUNT = new Tag(0x42000D);
    public static final Tag BATCH_ERROR_CONTINUATION_OPTION = new Tag(0x42000E);
    public static final Tag BATCH_ITEM = new Tag(0x42000F);
    public static final Tag BATCH_ORDER_OPTION = new Tag(0x420010);
    public static final Tag BLOCK_CIPHER_MODE = new Tag(0x420011);
    public static final Tag CANCELLATION_RESULT = new Tag(0x420012);
    public static final Tag CERTIFICATE = new Tag(0x420013);
    public static final Tag CERTIFICATE_IDENTIFIER = new Tag(0x420014);
    public static final Tag CERTIFICATE_ISSUER = new Tag(0x420015);
    public static final Tag CERTIFICATE_ISSUER_ALTERNATIVE_NAME = new Tag(0x420016);
    public static final Tag CERTIFICATE_ISSUER_DISTINGUISHED_NAME = new Tag(0x420017);
    public static final Tag CERTIFICATE_REQUEST = new Tag(0x420018);
    public static final Tag CERTIFICATE_REQUEST_TYPE = new Tag(0x420019);
    public static final Tag CERTIFICATE_SUBJECT = new Tag(0x42001A);
    public static final Tag CERTIFICATE_SUBJECT_ALTERNATIVE_NAME = new Tag(0x42001B);
    public static final Tag CERTIFICATE_SUBJECT_DISTINGUISHED_NAME = new Tag(0x42001C);
    public static final Tag CERTIFICATE_TYPE = new Tag(0x42001D);
    public static final Tag CERTIFICATE_VALUE = new Tag(0x42001E);
    public static final Tag COMMON_TEMPLATE_ATTRIBUTE = new Tag(0x42001F);
    public static final Tag COMPROMISE_DATE = new Tag(0x420020);
    public static final Tag COMPROMISE_OCCURRENCE_DATE = new Tag(0x420021);
    public static final Tag CONTACT_INFORMATION = new Tag(0x420022);
    public static final Tag CREDENTIAL = new Tag(0x420023);
    public static final Tag CREDENTIAL_TYPE = new Tag(0x420024);
    public static final Tag CREDENTIAL_VALUE = new Tag(0x420025);
    public static final Tag CRITICALITY_INDICATOR = new Tag(0x420026);
    public static final Tag CRT_COEFFICIENT = new Tag(0x420027);
    public static final Tag CRYPTOGRAPHIC_ALGORITHM = new Tag(0x420028);
    public static final Tag CRYPTOGRAPHIC_DOMAIN_PARAMETERS = new Tag(0x420029);
    public static final Tag CRYPTOGRAPHIC_LENGTH = new Tag(0x42002A);
    public static final Tag CRYPTOGRAPHIC_PARAMETERS = new Tag(0x42002B);
    public static final Tag CRYPTOGRAPHIC_USAGE_MASK = new Tag(0x42002C);
    public static final Tag CUSTOM_ATTRIBUTE = new Tag(0x42002D);
    public static final Tag D = new Tag(0x42002E);
    public static final Tag DEACTIVATION_DATE = new Tag(0x42002F);
    public static final Tag DERIVATION_DATA = new Tag(0x420030);
    public static final Tag DERIVATION_METHOD = new Tag(0x420031);
    public static final Tag DERIVATION_PARAMETERS = new Tag(0x420032);
    public static final Tag DESTROY_DATE = new Tag(0x420033);
    public static final Tag DIGEST = new Tag(0x420034);
    public static final Tag DIGEST_VALUE = new Tag(0x420035);
    public static final Tag ENCRYPTION_KEY_INFORMATION = new Tag(0x420036);
    public static final Tag G = new Tag(0x420037);
    public static final Tag HASHING_ALGORITHM = new Tag(0x420038);
    public static final Tag INITIAL_DATE = new Tag(0x420039);
    public static final Tag INITIALIZATION_VECTOR = new Tag(0x42003A);
    public static final Tag ISSUER = new Tag(0x42003B);
    public static final Tag ITERATION_COUNT = new Tag(0x42003C);
    public static final Tag IV_COUNTER_NONCE = new Tag(0x42003D);
    public static final Tag J = new Tag(0x42003E);
    public static final Tag KEY = new Tag(0x42003F);
    public static final Tag KEY_BLOCK = new Tag(0x420040);
    public static final Tag KEY_COMPRESSION_TYPE = new Tag(0x420041);
    public static final Tag KEY_FORMAT_TYPE = new Tag(0x420042);
    public static final Tag KEY_MATERIAL = new Tag(0x420043);
    public static final Tag KEY_PART_IDENTIFIER = new Tag(0x420044);
    public static final Tag KEY_VALUE = new Tag(0x420045);
    public static final Tag KEY_WRAPPING_DATA = new Tag(0x420046);
    public static final Tag KEY_WRAPPING_SPECIFICATION = new Tag(0x420047);
    public static final Tag LAST_CHANGE_DATE = new Tag(0x420048);
    public static final Tag LEASE_TIME = new Tag(0x420049);
    public static final Tag LINK = new Tag(0x42004A);
    public static final Tag LINK_TYPE = new Tag(0x42004B);
    public static final Tag LINKED_OBJECT_IDENTIFIER = new Tag(0x42004C);
    public static final Tag MAC_SIGNATURE = new Tag(0x42004D);
    public static final Tag MAC_SIGNATURE_KEY_INFORMATION = new Tag(0x42004E);
    public static final Tag MAXIMUM_ITEMS = new Tag(0x42004F);
    public static final Tag MAXIMUM_RESPONSE_SIZE = new Tag(0x420050);
    public static final Tag MESSAGE_EXTENSION = new Tag(0x420051);
    public static final Tag MODULUS = new Tag(0x420052);
    public static final Tag NAME = new Tag(0x420053);
    public static final Tag NAME_TYPE = new Tag(0x420054);
    public static final Tag NAME_VALUE = new Tag(0x420055);
    public static final Tag OBJECT_GROUP = new Tag(0x420056);
    public static final Tag OBJECT_TYPE = new Tag(0x420057);
    public static final Tag OFFSET = new Tag(0x420058);
    public static final Tag OPAQUE_DATA_TYPE = new Tag(0x420059);
    public static final Tag OPAQUE_DATA_VALUE = new Tag(0x42005A);
    public static final Tag OPAQUE_OBJECT = new Tag(0x42005B);
    public static final Tag OPERATION = new Tag(0x42005C);
    public static final Tag OPERATION_POLICY_NAME = new Tag(0x42005D);
    public static final Tag P = new Tag(0x42005E);
    public static final Tag PADDING_METHOD = new Tag(0x42005F);
    public static final Tag PRIME_EXPONENT_P = new Tag(0x420060);
    public static final Tag PRIME_EXPONENT_Q = new Tag(0x420061);
    public static final Tag PRIME_FIELD_SIZE = new Tag(0x420062);
    public static final Tag PRIVATE_EXPONENT = new Tag(0x420063);
    public static final Tag PRIVATE_KEY = new Tag(0x420064);
    public static final Tag PRIVATE_KEY_TEMPLATE_ATTRIBUTE = new Tag(0x420065);
    public static final Tag PRIVATE_KEY_UNIQUE_IDENTIFIER = new Tag(0x420066);
    public static final Tag PROCESS_START_DATE = new Tag(0x420067);
    public static final Tag PROTECT_STOP_DATE = new Tag(0x420068);
    public static final Tag PROTOCOL_VERSION = new Tag(0x420069);
    public static final Tag PROTOCOL_VERSION_MAJOR = new Tag(0x42006A);
    public static final Tag PROTOCOL_VERSION_MINOR = new Tag(0x42006B);
    public static final Tag PUBLIC_EXPONENT = new Tag(0x42006C);
    public static final Tag PUBLIC_KEY = new Tag(0x42006D);
    public static final Tag PUBLIC_KEY_TEMPLATE_ATTRIBUTE = new Tag(0x42006E);
    public static final Tag PUBLIC_KEY_UNIQUE_IDENTIFIER = new Tag(0x42006F);
    public static final Tag PUT_FUNCTION = new Tag(0x420070);
    public static final Tag Q = new Tag(0x420071);
    public static final Tag Q_STRING = new Tag(0x420072);
    public static final Tag QLENGTH = new Tag(0x420073);
    public static final Tag QUERY_FUNCTION = new Tag(0x420074);
    public static final Tag RECOMMENDED_CURVE = new Tag(0x420075);
    public static final Tag REPLACED_UNIQUE_IDENTIFIER = new Tag(0x420076);
    public static final Tag REQUEST_HEADER = new Tag(0x420077);
    public static final Tag REQUEST_MESSAGE = new Tag(0x420078);
    public static final Tag REQUEST_PAYLOAD = new Tag(0x420079);
    public static final Tag RESPONSE_HEADER = new Tag(0x42007A);
    public static final Tag RESPONSE_MESSAGE = new Tag(0x42007B);
    public static final Tag RESPONSE_PAYLOAD = new Tag(0x42007C);
    public static final Tag RESULT_MESSAGE = new Tag(0x42007D);
    public static final Tag RESULT_REASON = new Tag(0x42007E);
    public static final Tag RESULT_STATUS = new Tag(0x42007F);
    public static final Tag REVOCATION_MESSAGE = new Tag(0x420080);
    public static final Tag REVOCATION_REASON = new Tag(0x420081);
    public static final Tag REVOCATION_REASON_CODE = new Tag(0x420082);
    public static final Tag KEY_ROLE_TYPE = new Tag(0x420083);
    public static final Tag SALT = new Tag(0x420084);
    public static final Tag SECRET_DATA = new Tag(0x420085);
    public static final Tag SECRET_DATA_TYPE = new Tag(0x420086);
    public static final Tag SERIAL_NUMBER = new Tag(0x420087);
    public static final Tag SERVER_INFORMATION = new Tag(0x420088);
    public static final Tag SPLIT_KEY = new Tag(0x420089);
    public static final Tag SPLIT_KEY_METHOD = new Tag(0x42008A);
    public static final Tag SPLIT_KEY_PARTS = new Tag(0x42008B);
    public static final Tag SPLIT_KEY_THRESHOLD = new Tag(0x42008C);
    public static final Tag STATE = new Tag(0x42008D);
    public static final Tag STORAGE_STATUS_MASK = new Tag(0x42008E);
    public static final Tag SYMMETRIC_KEY = new Tag(0x42008F);
    public static final Tag TEMPLATE = new Tag(0x420090);
    public static final Tag TEMPLATE_ATTRIBUTE = new Tag(0x420091);
    public static final Tag TIME_STAMP = new Tag(0x420092);
    public static final Tag UNIQUE_BATCH_ITEM_ID = new Tag(0x420093);
    public static final Tag UNIQUE_IDENTIFIER = new Tag(0x420094);
    public static final Tag USAGE_LIMITS = new Tag(0x420095);
    public static final Tag USAGE_LIMITS_COUNT = new Tag(0x420096);
    public static final Tag USAGE_LIMITS_TOTAL = new Tag(0x420097);
    public static final Tag USAGE_LIMITS_UNIT = new Tag(0x420098);
    public static final Tag USERNAME = new Tag(0x420099);
    public static final Tag VALIDITY_DATE = new Tag(0x42009A);
    public static final Tag VALIDITY_INDICATOR = new Tag(0x42009B);
    public static final Tag VENDOR_EXTENSION = new Tag(0x42009C);
    public static final Tag VENDOR_IDENTIFICATION = new Tag(0x42009D);
    public static final Tag WRAPPING_METHOD = new Tag(0x42009E);
    public static final Tag X = new Tag(0x42009F);
    public static final Tag Y = new Tag(0x4200A0);
    public static final Tag PASSWORD = new Tag(0x4200A1);
    public static final Tag DEVICE_IDENTIFIER = new Tag(0x4200A2);
    public static final Tag ENCODING_OPTION = new Tag(0x4200A3);
    public static final Tag EXTENSION_INFORMATION = new Tag(0x4200A4);
    public static final Tag EXTENSION_NAME = new Tag(0x4200A5);
    public static final Tag EXTENSION_TAG = new Tag(0x4200A6);
    public static final Tag EXTENSION_TYPE = new Tag(0x4200A7);
    public static final Tag FRESH = new Tag(0x4200A8);
    public static final Tag MACHINE_IDENTIFIER = new Tag(0x4200A9);
    public static final Tag MEDIA_IDENTIFIER = new Tag(0x4200AA);
    public static final Tag NETWORK_IDENTIFIER = new Tag(0x4200AB);
    public static final Tag OBJECT_GROUP_MEMBER = new Tag(0x4200AC);
    public static final Tag CERTIFICATE_LENGTH = new Tag(0x4200AD);
    public static final Tag DIGITAL_SIGNATURE_ALGORITHM = new Tag(0x4200AE);
    public static final Tag CERTIFICATE_SERIAL_NUMBER = new Tag(0x4200AF);
    public static final Tag DEVICE_SERIAL_NUMBER = new Tag(0x4200B0);
    public static final Tag ISSUER_ALTERNATIVE_NAME = new Tag(0x4200B1);
    public static final Tag ISSUER_DISTINGUISHED_NAME = new Tag(0x4200B2);
    public static final Tag SUBJECT_ALTERNATIVE_NAME = new Tag(0x4200B3);
    public static final Tag SUBJECT_DISTINGUISHED_NAME = new Tag(0x4200B4);
    public static final Tag X_509_CERTIFICATE_IDENTIFIER = new Tag(0x4200B5);
    public static final Tag X_509_CERTIFICATE_ISSUER = new Tag(0x4200B6);
    public static final Tag X_509_CERTIFICATE_SUBJECT = new Tag(0x4200B7);
    public static final Tag KEY_VALUE_LOCATION = new Tag(0x4200B8);
    public static final Tag KEY_VALUE_LOCATION_VALUE = new Tag(0x4200B9);
    public static final Tag KEY_VALUE_LOCATION_TYPE = new Tag(0x4200BA);
    public static final Tag KEY_VALUE_PRESENT = new Tag(0x4200BB);
    public static final Tag ORIGINAL_CREATION_DATE = new Tag(0x4200BC);
    public static final Tag PGP_KEY = new Tag(0x4200BD);
    public static final Tag PGP_KEY_VERSION = new Tag(0x4200BE);
    public static final Tag ALTERNATIVE_NAME = new Tag(0x4200BF);
    public static final Tag ALTERNATIVE_NAME_VALUE = new Tag(0x4200C0);
    public static final Tag ALTERNATIVE_NAME_TYPE = new Tag(0x4200C1);
    public static final Tag DATA = new Tag(0x4200C2);
    public static final Tag SIGNATURE_DATA = new Tag(0x4200C3);
    public static final Tag DATA_LENGTH = new Tag(0x4200C4);
    public static final Tag RANDOM_IV = new Tag(0x4200C5);
    public static final Tag MAC_DATA = new Tag(0x4200C6);
    public static final Tag ATTESTATION_TYPE = new Tag(0x4200C7);
    public static final Tag NONCE = new Tag(0x4200C8);
    public static final Tag NONCE_ID = new Tag(0x4200C9);
    public static final Tag NONCE_VALUE = new Tag(0x4200CA);
    public static final Tag ATTESTATION_MEASUREMENT = new Tag(0x4200CB);
    public static final Tag ATTESTATION_ASSERTION = new Tag(0x4200CC);
    public static final Tag IV_LENGTH = new Tag(0x4200CD);
    public static final Tag TAG_LENGTH = new Tag(0x4200CE);
    public static final Tag FIXED_FIELD_LENGTH = new Tag(0x4200CF);
    public static final Tag COUNTER_LENGTH = new Tag(0x4200D0);
    public static final Tag INITIAL_COUNTER_VALUE = new Tag(0x4200D1);
    public static final Tag INVOCATION_FIELD_LENGTH = new Tag(0x4200D2);
    public static final Tag ATTESTATION_CAPABLE_INDICATOR = new Tag(0x4200D3);
    public static final Tag OFFSET_ITEMS = new Tag(0x4200D4);
    public static final Tag LOCATED_ITEMS = new Tag(0x4200D5);
    public static final Tag CORRELATION_VALUE = new Tag(0x4200D6);
    public static final Tag INIT_INDICATOR = new Tag(0x4200D7);
    public static final Tag FINAL_INDICATOR = new Tag(0x4200D8);
    public static final Tag RNG_PARAMETERS = new Tag(0x4200D9);
    public static final Tag RNG_ALGORITHM = new Tag(0x4200DA);
    public static final Tag DRBG_ALGORITHM = new Tag(0x4200DB);
    public static final Tag FIPS186_VARIATION = new Tag(0x4200DC);
    public static final Tag PREDICTION_RESISTANCE = new Tag(0x4200DD);
    public static final Tag RANDOM_NUMBER_GENERATOR = new Tag(0x4200DE);
    public static final Tag VALIDATION_INFORMATION = new Tag(0x4200DF);
    public static final Tag VALIDATION_AUTHORITY_TYPE = new Tag(0x4200E0);
    public static final Tag VALIDATION_AUTHORITY_COUNTRY = new Tag(0x4200E1);
    public static final Tag VALIDATION_AUTHORITY_URI = new Tag(0x4200E2);
    public static final Tag VALIDATION_VERSION_MAJOR = new Tag(0x4200E3);
    public static final Tag VALIDATION_VERSION_MINOR = new Tag(0x4200E4);
    public static final Tag VALIDATION_TYPE = new Tag(0x4200E5);
    public static final Tag VALIDATION_LEVEL = new Tag(0x4200E6);
    public static final Tag VALIDATION_CERTIFICATE_IDENTIFIER = new Tag(0x4200E7);
    public static final Tag VALIDATION_CERTIFICATE_URI = new Tag(0x4200E8);
    public static final Tag VALIDATION_VENDOR_URI = new Tag(0x4200E9);
    public static final Tag VALIDATION_PROFILE = new Tag(0x4200EA);
    public static final Tag PROFILE_INFORMATION = new Tag(0x4200EB);
    public static final Tag PROFILE_NAME = new Tag(0x4200EC);
    public static final Tag SERVER_URI = new Tag(0x4200ED);
    public static final Tag SERVER_PORT = new Tag(0x4200EE);
    public static final Tag STREAMING_CAPABILITY = new Tag(0x4200EF);
    public static final Tag ASYNCHRONOUS_CAPABILITY = new Tag(0x4200F0);
    public static final Tag ATTESTATION_CAPABILITY = new Tag(0x4200F1);
    public static final Tag UNWRAP_MODE = new Tag(0x4200F2);
    public static final Tag DESTROY_ACTION = new Tag(0x4200F3);
    public static final Tag SHREDDING_ALGORITHM = new Tag(0x4200F4);
    public static final Tag RNG_MODE = new Tag(0x4200F5);
    public static final Tag CLIENT_REGISTRATION_METHOD = new Tag(0x4200F6);
    public static final Tag CAPABILITY_INFORMATION = new Tag(0x4200F7);
    public static final Tag KEY_WRAP_TYPE = new Tag(0x4200F8);
    public static final Tag BATCH_UNDO_CAPABILITY = new Tag(0x4200F9);
    public static final Tag BATCH_CONTINUE_CAPABILITY = new Tag(0x4200FA);
    public static final Tag PKCS_12_FRIENDLY_NAME = new Tag(0x4200FB);
    public static final Tag DESCRIPTION = new Tag(0x4200FC);
    public static final Tag COMMENT = new Tag(0x4200FD);
    public static final Tag AUTHENTICATED_ENCRYPTION_ADDITIONAL_DATA = new Tag(0x4200FE);
    public static final Tag AUTHENTICATED_ENCRYPTION_TAG = new Tag(0x4200FF);
    public static final Tag SALT_LENGTH = new Tag(0x420100);
    public static final Tag MASK_GENERATOR = new Tag(0x420101);
    public static final Tag MASK_GENERATOR_HASHING_ALGORITHM = new Tag(0x420102);
    public static final Tag P_SOURCE = new Tag(0x420103);
    public static final Tag TRAILER_FIELD = new Tag(0x420104);
    public static final Tag CLIENT_CORRELATION_VALUE = new Tag(0x420105);
    public static final Tag SERVER_CORRELATION_VALUE = new Tag(0x420106);
    public static final Tag DIGESTED_DATA = new Tag(0x420107);
    public static final Tag CERTIFICATE_SUBJECT_CN = new Tag(0x420108);
    public static final Tag CERTIFICATE_SUBJECT_O = new Tag(0x420109);
    public static final Tag CERTIFICATE_SUBJECT_OU = new Tag(0x42010A);
    public static final Tag CERTIFICATE_SUBJECT_EMAIL = new Tag(0x42010B);
    public static final Tag CERTIFICATE_SUBJECT_C = new Tag(0x42010C);
    public static final Tag CERTIFICATE_SUBJECT_ST = new Tag(0x42010D);
    public static final Tag CERTIFICATE_SUBJECT_L = new Tag(0x42010E);
    public static final Tag CERTIFICATE_SUBJECT_UID = new Tag(0x42010F);
    public static final Tag CERTIFICATE_SUBJECT_SERIAL_NUMBER = new Tag(0x420110);
    public static final Tag CERTIFICATE_SUBJECT_TITLE = new Tag(0x420111);
    public static final Tag CERTIFICATE_SUBJECT_DC = new Tag(0x420112);
    public static final Tag CERTIFICATE_SUBJECT_DN_QUALIFIER = new Tag(0x420113);
    public static final Tag CERTIFICATE_ISSUER_CN = new Tag(0x420114);
    public static final Tag CERTIFICATE_ISSUER_O = new Tag(0x420115);
    public static final Tag CERTIFICATE_ISSUER_OU = new Tag(0x420116);
    public static final Tag CERTIFICATE_ISSUER_EMAIL = new Tag(0x420117);
    public static final Tag CERTIFICATE_ISSUER_C = new Tag(0x420118);
    public static final Tag CERTIFICATE_ISSUER_ST = new Tag(0x420119);
    public static final Tag CERTIFICATE_ISSUER_L = new Tag(0x42011A);
    public static final Tag CERTIFICATE_ISSUER_UID = new Tag(0x42011B);
    public static final Tag CERTIFICATE_ISSUER_SERIAL_NUMBER = new Tag(0x42011C);
    public static final Tag CERTIFICATE_ISSUER_TITLE = new Tag(0x42011D);
    public static final Tag CERTIFICATE_ISSUER_DC = new Tag(0x42011E);
    public static final Tag CERTIFICATE_ISSUER_DN_QUALIFIER = new Tag(0x42011F);
    public static final Tag SENSITIVE = new Tag(0x420120);
    public static final Tag ALWAYS_SENSITIVE = new Tag(0x420121);
    public static final Tag EXTRACTABLE = new Tag(0x420122);
    public static final Tag NEVER_EXTRACTABLE = new Tag(0x420123);
    public static final Tag REPLACE_EXISTING = new Tag(0x420124);
    public static final Tag ATTRIBUTES = new Tag(0x420125);
    public static final Tag COMMON_ATTRIBUTES = new Tag(0x420126);
    public static final Tag PRIVATE_KEY_ATTRIBUTES = new Tag(0x420127);
    public static final Tag PUBLIC_KEY_ATTRIBUTES = new Tag(0x420128);
    public static final Tag EXTENSION_ENUMERATION = new Tag(0x420129);
    public static final Tag EXTENSION_ATTRIBUTE = new Tag(0x42012A);
    public static final Tag EXTENSION_PARENT_STRUCTURE_TAG = new Tag(0x42012B);
    public static final Tag EXTENSION_DESCRIPTION = new Tag(0x42012C);
    public static final Tag SERVER_NAME = new Tag(0x42012D);
    public static final Tag SERVER_SERIAL_NUMBER = new Tag(0x42012E);
    public static final Tag SERVER_VERSION = new Tag(0x42012F);
    public static final Tag SERVER_LOAD = new Tag(0x420130);
    public static final Tag PRODUCT_NAME = new Tag(0x420131);
    public static final Tag BUILD_LEVEL = new Tag(0x420132);
    public static final Tag BUILD_DATE = new Tag(0x420133);
    public static final Tag CLUSTER_INFO = new Tag(0x420134);
    public static final Tag ALTERNATE_FAILOVER_ENDPOINTS = new Tag(0x420135);
    public static final Tag SHORT_UNIQUE_IDENTIFIER = new Tag(0x420136);
    public static final Tag TAG = new Tag(0x420138);
    public static final Tag CERTIFICATE_REQUEST_UNIQUE_IDENTIFIER = new Tag(0x420139);
    public static final Tag NIST_KEY_TYPE = new Tag(0x42013A);
    public static final Tag ATTRIBUTE_REFERENCE = new Tag(0x42013B);
    public static final Tag CURRENT_ATTRIBUTE = new Tag(0x42013C);
    public static final Tag NEW_ATTRIBUTE = new Tag(0x42013D);
    public static final Tag CERTIFICATE_REQUEST_VALUE = new Tag(0x420140);
    public static final Tag LOG_MESSAGE = new Tag(0x420141);
    public static final Tag PROFILE_VERSION = new Tag(0x420142);
    public static final Tag PROFILE_VERSION_MAJOR = new Tag(0x420143);
    public static final Tag PROFILE_VERSION_MINOR = new Tag(0x420144);
    public static final Tag PROTECTION_LEVEL = new Tag(0x420145);
    public static final Tag PROTECTION_PERIOD = new Tag(0x420146);
    public static final Tag QUANTUM_SAFE = new Tag(0x420147);
    public static final Tag QUANTUM_SAFE_CAPABILITY = new Tag(0x420148);
    public static final Tag TICKET = new Tag(0x420149);
    public static final Tag TICKET_TYPE = new Tag(0x42014A);
    public static final Tag TICKET_VALUE = new Tag(0x42014B);
    public static final Tag REQUEST_COUNT = new Tag(0x42014C);
    public static final Tag RIGHTS = new Tag(0x42014D);
    public static final Tag OBJECTS = new Tag(0x42014E);
    public static final Tag OPERATIONS = new Tag(0x42014F);
    public static final Tag RIGHT = new Tag(0x420150);
    public static final Tag ENDPOINT_ROLE = new Tag(0x420151);
    public static final Tag DEFAULTS_INFORMATION = new Tag(0x420152);
    public static final Tag OBJECT_DEFAULTS = new Tag(0x420153);
    public static final Tag EPHEMERAL = new Tag(0x420154);
    public static final Tag SERVER_HASHED_PASSWORD = new Tag(0x420155);
    public static final Tag ONE_TIME_PASSWORD = new Tag(0x420156);
    public static final Tag HASHED_PASSWORD = new Tag(0x420157);
    public static final Tag ADJUSTMENT_TYPE = new Tag(0x420158);
    public static final Tag PKCS_11_INTERFACE = new Tag(0x420159);
    public static final Tag PKCS_11_FUNCTION = new Tag(0x42015A);
    public static final Tag PKCS_11_INPUT_PARAMETERS = new Tag(0x42015B);
    public static final Tag PKCS_11_OUTPUT_PARAMETERS = new Tag(0x42015C);
    public static final Tag PKCS_11_RETURN_CODE = new Tag(0x42015D);
    public static final Tag PROTECTION_STORAGE_MASK = new Tag(0x42015E);
    public static final Tag PROTECTION_STORAGE_MASKS = new Tag(0x42015F);
    public static final Tag INTEROP_FUNCTION = new Tag(0x420160);
    public static final Tag INTEROP_IDENTIFIER = new Tag(0x420161);
    public static final Tag ADJUSTMENT_VALUE = new Tag(0x420162);
    public static final Tag COMMON_PROTECTION_STORAGE_MASKS = new Tag(0x420163);
    public static final Tag PRIVATE_PROTECTION_STORAGE_MASKS = new Tag(0x420164);
    public static final Tag PUBLIC_PROTECTION_STORAGE_MASKS = new Tag(0x420165);
    public static final Tag OBJECT_GROUPS = new Tag(0x420166);
    public static final Tag OBJECT_TYPES = new Tag(0x420167);
    public static final Tag CONSTRAINTS = new Tag(0x420168);
    public static final Tag CONSTRAINT = new Tag(0x420169);
    public static final Tag ROTATE_INTERVAL = new Tag(0x42016A);
    public static final Tag ROTATE_AUTOMATIC = new Tag(0x42016B);
    public static final Tag ROTATE_OFFSET = new Tag(0x42016C);
    public static final Tag ROTATE_DATE = new Tag(0x42016D);
    public static final Tag ROTATE_GENERATION = new Tag(0x42016E);
    public static final Tag ROTATE_NAME = new Tag(0x42016F);
    public static final Tag ROTATE_NAME_VALUE = new Tag(0x420170);
    public static final Tag ROTATE_NAME_TYPE = new Tag(0x420171);
    public static final Tag ROTATE_LATEST = new Tag(0x420172);
    public static final Tag ASYNCHRONOUS_REQUEST = new Tag(0x420173);
    public static final Tag SUBMISSION_DATE = new Tag(0x420174);
    public static final Tag PROCESSING_STAGE = new Tag(0x420175);
    public static final Tag ASYNCHRONOUS_CORRELATION_VALUES = new Tag(0x420176);
}
