package io.kekvault.kmip.error;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProblemDetailsTest {

    @Test
    void everyErrorFamily_hasAStatus() {
        assertThat(Arrays.asList(KmsException.class.getPermittedSubclasses()))
                .allSatisfy(c -> assertThat(ProblemDetails.STATUS).as("%s", c.getSimpleName()).containsKey(c.asSubclass(KmsException.class)));
    }

    @Test
    void everyResultReason_mapsThroughItsFamily_andBackFromItsCode() {
        for (ResultReason r : ResultReason.values()) {
            KmsException e = KmsException.fromReason(r, "x");
            int status = ProblemDetails.status(e);
            assertThat(status).as("%s", r).isBetween(400, 599);
            assertThat(ProblemDetails.status(e.errorCode())).as("%s by its code", r).isEqualTo(status);
        }
        assertThat(ProblemDetails.status(new NotFoundException("gone"))).isEqualTo(404);
        assertThat(ProblemDetails.status(new UnavailableException("down"))).isEqualTo(503);
        assertThat(ProblemDetails.status("no_such_code")).isEqualTo(500);
        assertThat(ProblemDetails.status((String) null)).isEqualTo(500);
    }

    @Test
    void body_carriesTheStableCode_andLeavesOutAMissingRequestId() {
        ObjectNode b = ProblemDetails.body(404, "item_not_found", "key k not found", null);
        assertThat(b.get("type").asText()).isEqualTo("https://kekvault.io/problems/item_not_found");
        assertThat(b.get("status").asInt()).isEqualTo(404);
        assertThat(b.get("title").asText()).isEqualTo("Not found");
        assertThat(b.get("code").asText()).isEqualTo("item_not_found");
        assertThat(b.has("requestId")).isFalse();
        assertThat(ProblemDetails.body(503, "c", "d", "r1").get("requestId").asText()).isEqualTo("r1");
    }
}
