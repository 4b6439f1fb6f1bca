package uk.sharedcare.record.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import org.hl7.fhir.utilities.OIDUtilities;
import org.junit.jupiter.api.Test;

/** The validator reads the record's trimmed OID registry, not the library's 21,000 lines (decision 7). */
class OidRegistryTest {

    @Test
    void theRecordsOwnRegistryIsTheOneTheValidatorLoads() {
        OIDUtilities registry = new OIDUtilities();

        assertThat(registry.isKnownOID("urn:oid:2.16.840.1.113883.6.96")).as("SNOMED CT").isTrue();
        assertThat(registry.isKnownOID("urn:oid:2.16.840.1.113883.2.1.4.1")).as("NHS number").isTrue();
        assertThat(registry.isKnownOID("urn:oid:2.16.840.1.113883.6.88")).as("RxNorm, only in the library's registry")
                .isFalse();
    }
}
