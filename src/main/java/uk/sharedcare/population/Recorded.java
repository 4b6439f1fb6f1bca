package uk.sharedcare.population;

import org.hl7.fhir.r4.model.Resource;

/**
 * A generated resource and the organisation (ODS code) that would record it: the custodian the server will
 * tag it with when that organisation writes it.
 */
public record Recorded(String custodian, Resource resource) {}
