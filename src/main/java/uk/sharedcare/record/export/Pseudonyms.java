package uk.sharedcare.record.export;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms for one extract recipient: HMAC-SHA-256 of {@code Type/id} under the recipient's secret key,
 * in hex (64 characters, a valid FHIR id). The same record gets the same pseudonym in every month's extract for
 * the same recipient, and unrelated pseudonyms for any other recipient; without the key they cannot be reversed
 * or recomputed from a guessed id.
 */
public final class Pseudonyms {

    static final int MINIMUM_KEY_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public Pseudonyms(String secretKey) {
        if (secretKey == null || secretKey.length() < MINIMUM_KEY_LENGTH) {
            throw new IllegalArgumentException("A pseudonymisation key needs at least " + MINIMUM_KEY_LENGTH
                    + " characters");
        }
        this.key = new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    public String of(String resourceType, String id) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal((resourceType + "/" + id).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
        }
    }
}
