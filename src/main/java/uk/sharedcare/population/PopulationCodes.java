package uk.sharedcare.population;

import java.util.List;
import org.hl7.fhir.r4.model.Coding;

/**
 * The codes the generator writes. The policy-relevant ones are taken from {@code shared-care-policy.yaml}
 * (exempt cohorts, sensitive data, GP dissent), so generated patients exercise the real rules.
 */
final class PopulationCodes {

    static final String SNOMED = "http://snomed.info/sct";
    static final String LOINC = "http://loinc.org";
    static final String READ_V2 = "http://read.info/readv2";
    static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    static final String EPISODE_TYPE = "https://sharedcarerecord.uk/fhir/CodeSystem/episode-type";

    /** Everyday long-term conditions, none of them in an exempt or sensitive list. */
    static final List<Coding> COMMON_CONDITIONS = List.of(
            snomed("38341003", "Hypertensive disorder"),
            snomed("44054006", "Type 2 diabetes mellitus"),
            snomed("195967001", "Asthma"),
            snomed("13645005", "Chronic obstructive lung disease"),
            snomed("396275006", "Osteoarthritis"),
            snomed("49436004", "Atrial fibrillation"),
            snomed("709044004", "Chronic kidney disease"),
            snomed("35489007", "Depressive disorder"));

    /** Policy file, codes.exempt-cohorts.mental-illness. */
    static final List<Coding> MENTAL_ILLNESS = List.of(
            snomed("58214004", "Schizophrenia"),
            snomed("13746004", "Bipolar disorder"),
            snomed("69322001", "Psychotic disorder"));

    /** Policy file, codes.exempt-cohorts.learning-disability. */
    static final List<Coding> LEARNING_DISABILITY = List.of(
            snomed("110359009", "Intellectual disability"),
            snomed("416075005", "On learning disability register"));

    /** Policy file, codes.sensitive (STD and SEX). */
    static final List<Coding> SEXUAL_HEALTH = List.of(
            snomed("105629000", "Chlamydial infection"),
            snomed("15628003", "Gonorrhoea"),
            snomed("13197004", "Contraception"));

    /** Policy file, codes.gp-dissent.type-1. */
    static final Coding GP_DISSENT_TYPE_1 = new Coding(READ_V2, "9Nu0", "Dissent from secondary use of GP"
            + " patient identifiable data");

    static final Coding CARE_PLAN = snomed("734163000", "Care plan");

    private PopulationCodes() {}

    static Coding snomed(String code, String display) {
        return new Coding(SNOMED, code, display);
    }

    static Coding loinc(String code, String display) {
        return new Coding(LOINC, code, display);
    }

    static Coding episodeType(String code) {
        return new Coding(EPISODE_TYPE, code, code.equals("health") ? "Health care" : "Social care");
    }
}
