package uk.sharedcare.record.consent;

/** A coded value: a code system and a code, compared exactly. */
public record Code(String system, String code) {}
