package uk.sharedcare.population;

import org.hl7.fhir.r4.model.Bundle;

/**
 * A transaction bundle and the organisation (ODS code) that must write it: every resource in it is one that
 * organisation records, so posting it with that organisation's token gives each resource its true custodian.
 */
public record WriterBundle(String writer, Bundle bundle) {}
