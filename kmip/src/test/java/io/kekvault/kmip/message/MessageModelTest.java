package io.kekvault.kmip.message;

import io.kekvault.kmip.error.InvalidRequestException;
import io.kekvault.kmip.error.KmsException;
import io.kekvault.kmip.error.NotFoundException;
import io.kekvault.kmip.error.ResultReason;
import io.kekvault.kmip.error.UnsupportedException;
import io.kekvault.kmip.ttlv.KmipXml;
import io.kekvault.kmip.ttlv.Tag;
import io.kekvault.kmip.ttlv.TtlvDecoder;
import io.kekvault.kmip.ttlv.TtlvEncoder;
import io.kekvault.kmip.ttlv.TtlvItem;
import io.kekvault.kmip.ttlv.TtlvLimits;
import io.kekvault.kmip.ttlv.TtlvStructure;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageModelTest {
    private static final List<KmipAttribute> VCENTER_ATTRIBUTES = List.of(
            KmipAttribute.cryptographicAlgorithm(CryptographicAlgorithm.AES),
            KmipAttribute.cryptographicLength(256),
            KmipAttribute.cryptographicUsageMask(CryptographicUsageMask.ENCRYPT, CryptographicUsageMask.DECRYPT),
            KmipAttribute.name("vm-42-kek"),
            KmipAttribute.x("Vendor", "VMware, Inc."),
            KmipAttribute.x("Product_Version", "7.0.3 build-19480866"));

    @Test
    void createPayload_v1x_usesTemplateAttributeWithNamedAttributes() throws KmsException {
        TtlvStructure p = Payloads.createRequest(ObjectType.SYMMETRIC_KEY, VCENTER_ATTRIBUTES, ProtocolVersion.V1_1);
        TtlvStructure template = p.structure(Tag.TEMPLATE_ATTRIBUTE);
        assertThat(template.structures(Tag.ATTRIBUTE)).extracting(a -> a.text(Tag.ATTRIBUTE_NAME)).containsExactly(
                "Cryptographic Algorithm", "Cryptographic Length", "Cryptographic Usage Mask", "Name", "x-Vendor", "x-Product_Version");
        TtlvStructure name = template.structures(Tag.ATTRIBUTE).get(3).structure(Tag.ATTRIBUTE_VALUE);
        assertThat(name.text(Tag.NAME_VALUE)).isEqualTo("vm-42-kek");
    }

    @Test
    void createPayload_v2x_usesAttributesWithVendorAttributes() throws KmsException {
        TtlvStructure p = Payloads.createRequest(ObjectType.SYMMETRIC_KEY, VCENTER_ATTRIBUTES, ProtocolVersion.V2_0);
        TtlvStructure attrs = p.structure(Tag.ATTRIBUTES);
        assertThat(attrs.enumeration(Tag.CRYPTOGRAPHIC_ALGORITHM)).isEqualTo(CryptographicAlgorithm.AES.value());
        assertThat(attrs.structure(Tag.NAME).text(Tag.NAME_VALUE)).isEqualTo("vm-42-kek");
        TtlvStructure vendor = attrs.structures(Tag.ATTRIBUTE).getFirst();
        assertThat(vendor.text(Tag.VENDOR_IDENTIFICATION)).isEqualTo("x");
        assertThat(vendor.text(Tag.ATTRIBUTE_NAME)).isEqualTo("Vendor");
        assertThat(KmipXml.write(attrs)).contains("<CryptographicUsageMask type=\"Integer\" value=\"Encrypt Decrypt\"/>");
    }

    /** Both wire forms read into the same normalized attributes. */
    @Test
    void bothForms_readIntoTheSameAttributes() throws KmsException {
        for (ProtocolVersion v : ProtocolVersion.SUPPORTED) {
            TtlvStructure p = Payloads.createRequest(ObjectType.SYMMETRIC_KEY, VCENTER_ATTRIBUTES, v);
            TtlvStructure onTheWire = TtlvDecoder.decode(TtlvEncoder.encode(p)).asStructure();
            Payloads.CreateRequest r = Payloads.readCreateRequest(onTheWire);
            assertThat(r.objectType()).isEqualTo(ObjectType.SYMMETRIC_KEY);
            assertThat(r.attributes()).as("version %s", v).isEqualTo(VCENTER_ATTRIBUTES);
        }
    }

    @Test
    void customAttribute_1xNameAnd2xVendorForm_areTheSameKey() throws KmsException {
        assertThat(AttributeKey.fromName1x("x-Product_Version")).isEqualTo(AttributeKey.x("Product_Version"));
        assertThat(AttributeKey.fromName1x("y-Server")).isEqualTo(AttributeKey.custom("y", "Server"));
        assertThat(AttributeKey.fromName1x("Cryptographic Algorithm")).isEqualTo(AttributeKey.of(Tag.CRYPTOGRAPHIC_ALGORITHM));
        assertThatThrownBy(() -> AttributeKey.fromName1x("Colour"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_FIELD));
    }

    @Test
    void references_v1xNamesAndV2xAttributeReferences() throws KmsException {
        List<AttributeKey> keys = List.of(AttributeKey.of(Tag.STATE), AttributeKey.x("Product_Version"));
        TtlvStructure v1 = Payloads.getAttributesRequest("uid-1", keys, ProtocolVersion.V1_4);
        assertThat(v1.texts(Tag.ATTRIBUTE_NAME)).containsExactly("State", "x-Product_Version");
        TtlvStructure v2 = Payloads.getAttributesRequest("uid-1", keys, ProtocolVersion.V2_0);
        assertThat(KmipXml.write(v2)).contains("<AttributeReference type=\"Enumeration\" value=\"State\"/>")
                .contains("<VendorIdentification type=\"TextString\" value=\"x\"/>");
        assertThat(Payloads.readGetAttributesRequest(v1).keys()).isEqualTo(keys);
        assertThat(Payloads.readGetAttributesRequest(v2).keys()).isEqualTo(keys);
    }

    @Test
    void getAttributesResponse_roundTripsInBothVersions() throws KmsException {
        List<KmipAttribute> attrs = List.of(KmipAttribute.enumeration(Tag.STATE, State.ACTIVE),
                KmipAttribute.dateTime(Tag.ACTIVATION_DATE, Instant.parse("2024-01-01T00:00:00Z")),
                KmipAttribute.link(LinkType.REPLACEMENT_OBJECT_LINK, "uid-2"),
                KmipAttribute.x("Component", "disk-0"));
        for (ProtocolVersion v : List.of(ProtocolVersion.V1_0, ProtocolVersion.V1_4, ProtocolVersion.V2_0, ProtocolVersion.V2_1)) {
            Payloads.AttributesOf read = Payloads.readGetAttributesResponse(Payloads.getAttributesResponse("uid-1", attrs, v));
            assertThat(read.uniqueIdentifier()).isEqualTo("uid-1");
            assertThat(read.attributes()).isEqualTo(attrs);
            assertThat(read.get(Tag.STATE).orElseThrow().value().asEnumeration()).isEqualTo(State.ACTIVE.value());
        }
    }

    @Test
    void attributeEdits_readBackFromEitherVersion() throws KmsException {
        KmipAttribute newValue = KmipAttribute.x("Name", "renamed").withIndex(0);
        TtlvStructure add1 = Payloads.addAttributeRequest("u", newValue, ProtocolVersion.V1_1);
        assertThat(add1.structure(Tag.ATTRIBUTE).integer(Tag.ATTRIBUTE_INDEX)).isZero();
        Payloads.AttributeEdit e1 = Payloads.readAttributeEditRequest(add1);
        assertThat(e1.attribute()).isEqualTo(newValue);

        KmipAttribute current = KmipAttribute.x("Name", "old");
        TtlvStructure mod2 = Payloads.modifyAttributeRequest("u", current, KmipAttribute.x("Name", "renamed"), ProtocolVersion.V2_0);
        Payloads.AttributeEdit e2 = Payloads.readAttributeEditRequest(mod2);
        assertThat(e2.current()).isEqualTo(current);
        assertThat(e2.attribute()).isEqualTo(KmipAttribute.x("Name", "renamed"));
        assertThat(e2.key()).isEqualTo(AttributeKey.x("Name"));

        TtlvStructure del1 = Payloads.deleteAttributeRequest("u", AttributeKey.x("Name"), 2, ProtocolVersion.V1_4);
        Payloads.AttributeEdit d1 = Payloads.readAttributeEditRequest(del1);
        assertThat(d1.key()).isEqualTo(AttributeKey.x("Name"));
        assertThat(d1.index()).isEqualTo(2);
        TtlvStructure del2 = Payloads.deleteAttributeRequest("u", AttributeKey.of(Tag.CONTACT_INFORMATION), null, ProtocolVersion.V2_1);
        assertThat(Payloads.readAttributeEditRequest(del2).key()).isEqualTo(AttributeKey.of(Tag.CONTACT_INFORMATION));
    }

    @Test
    void templateNames_areRefusedAsUnsupported() {
        TtlvStructure template = TtlvItem.structure(Tag.TEMPLATE_ATTRIBUTE,
                TtlvItem.structure(Tag.NAME, TtlvItem.text(Tag.NAME_VALUE, "tpl"), TtlvItem.enumeration(Tag.NAME_TYPE, 1)));
        assertThatThrownBy(() -> AttributeCodec.readContainer(template)).isInstanceOf(UnsupportedException.class);
    }

    @Test
    void request_roundTripsWithBatchCountDerived() throws KmsException {
        RequestMessage m = new RequestMessage(
                RequestHeader.of(ProtocolVersion.V1_4).withMaximumResponseSize(4096).withClientCorrelationValue("c-1")
                        .withBatchErrorContinuationOption(BatchErrorContinuationOption.STOP).withBatchOrderOption(true),
                List.of(RequestBatchItem.of(Operation.ACTIVATE, BatchItemId.ofInt(1), Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, "a")),
                        RequestBatchItem.of(Operation.GET, BatchItemId.ofInt(2), Payloads.uniqueIdentifierPayload(Tag.REQUEST_PAYLOAD, "b"))));
        TtlvStructure t = m.toTtlv();
        assertThat(t.structure(Tag.REQUEST_HEADER).integer(Tag.BATCH_COUNT)).isEqualTo(2);
        for (MessageEncoding enc : MessageEncoding.values()) {
            assertThat(enc.decodeRequest(enc.encode(m), TtlvLimits.DEFAULT)).as(enc.name()).isEqualTo(m);
        }
    }

    @Test
    void wrongBatchCountOrUnknownHeaderField_isInvalidMessage() {
        TtlvStructure header = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V1_4.toTtlv()).integer(Tag.BATCH_COUNT, 2).build();
        TtlvStructure item = TtlvStructure.builder(Tag.BATCH_ITEM).enumeration(Tag.OPERATION, Operation.QUERY).build();
        TtlvStructure wrongCount = TtlvItem.structure(Tag.REQUEST_MESSAGE, header, item);
        assertThatThrownBy(() -> RequestMessage.fromTtlv(wrongCount))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.reason()).isEqualTo(ResultReason.INVALID_MESSAGE))
                .hasMessage("BatchCount is 2 but the message has 1 batch items");
        TtlvStructure extra = header.toBuilder().text(Tag.DESCRIPTION, "?").build();
        assertThatThrownBy(() -> RequestMessage.fromTtlv(TtlvItem.structure(Tag.REQUEST_MESSAGE, extra, item, item)))
                .hasMessage("unexpected Description in RequestHeader");
    }

    @Test
    void unknownOperation_stillParses() throws KmsException {
        TtlvStructure header = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V2_1.toTtlv()).integer(Tag.BATCH_COUNT, 1).build();
        TtlvStructure item = TtlvStructure.builder(Tag.BATCH_ITEM).enumeration(Tag.OPERATION, 0x7FFF0001).build();
        RequestMessage m = RequestMessage.fromTtlv(TtlvItem.structure(Tag.REQUEST_MESSAGE, header, item));
        assertThat(m.batchItems().getFirst().knownOperation()).isEmpty();
        assertThat(m.batchItems().getFirst().operation()).isEqualTo(0x7FFF0001);
    }

    /** A server turns a KmsException into a failed item; the client turns it back into the same family. */
    @Test
    void failureItem_carriesReasonAndMessage_andMapsBackToTheFamily() throws KmsException {
        RequestBatchItem req = RequestBatchItem.of(Operation.GET, BatchItemId.ofHex("514c4b4301000000"), null);
        ResponseBatchItem failed = ResponseBatchItem.failure(req, new NotFoundException("no such key"));
        ResponseMessage resp = ResponseMessage.of(ResponseHeader.of(ProtocolVersion.V1_1, Instant.parse("2024-01-01T00:00:00.5Z")), failed);
        ResponseMessage back = ResponseMessage.fromTtlv(TtlvDecoder.decode(TtlvEncoder.encode(resp.toTtlv())));
        ResponseBatchItem item = back.batchItems().getFirst();
        assertThat(item.resultStatus()).isEqualTo(ResultStatus.OPERATION_FAILED);
        assertThat(item.resultReason()).isEqualTo(ResultReason.ITEM_NOT_FOUND);
        assertThat(item.resultMessage()).isEqualTo("no such key");
        assertThat(item.uniqueBatchItemId()).isEqualTo(BatchItemId.ofHex("514c4b4301000000"));
        assertThat(item.toException()).containsInstanceOf(NotFoundException.class);
        assertThat(back.header().timeStamp()).isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
        assertThat(KmipXml.write(resp.toTtlv())).contains("<ResultReason type=\"Enumeration\" value=\"ItemNotFound\"/>");
    }

    @Test
    void wholeMessageFailure_hasOneItemWithoutOperation() {
        ResponseMessage r = ResponseMessage.failure(ProtocolVersion.V1_0, Instant.EPOCH,
                new InvalidRequestException(ResultReason.INVALID_MESSAGE, "malformed", null));
        assertThat(r.batchItems()).singleElement().satisfies(i -> {
            assertThat(i.operation()).isNull();
            assertThat(i.resultReason()).isEqualTo(ResultReason.INVALID_MESSAGE);
        });
    }

    @Test
    void protocolVersion_isPeekedFromAMessageThatDoesNotParse() {
        TtlvStructure header = TtlvStructure.builder(Tag.REQUEST_HEADER).add(ProtocolVersion.V2_0.toTtlv()).integer(Tag.BATCH_COUNT, 9).build();
        TtlvStructure broken = TtlvItem.structure(Tag.REQUEST_MESSAGE, header);
        assertThatThrownBy(() -> RequestMessage.fromTtlv(broken)).isInstanceOf(InvalidRequestException.class);
        assertThat(ProtocolVersion.peek(broken)).contains(ProtocolVersion.V2_0);
        assertThat(ProtocolVersion.peek(TtlvItem.integer(Tag.REQUEST_MESSAGE, 1))).isEmpty();
    }

    @Test
    void mediaTypes_selectTheEncoding() {
        assertThat(MessageEncoding.forMediaType("application/json; charset=utf-8")).contains(MessageEncoding.JSON);
        assertThat(MessageEncoding.forMediaType("text/xml")).contains(MessageEncoding.XML);
        assertThat(MessageEncoding.forMediaType("application/octet-stream")).contains(MessageEncoding.TTLV);
        assertThat(MessageEncoding.forMediaType("text/plain")).isEmpty();
    }
}
