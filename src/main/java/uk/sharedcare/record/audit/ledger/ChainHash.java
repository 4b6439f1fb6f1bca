package uk.sharedcare.record.audit.ledger;

import org.apache.commons.codec.digest.DigestUtils;

/**
 * The hashes that make the audit ledger tamper-evident. Each row's hash covers the previous row's hash and the
 * row's own content, so editing, removing or reordering any row breaks every link after it.
 * <ul>
 *   <li>{@link Scheme#DIGEST} (every event written to the ledger): the request thread hashes its own event's
 *       canonical JSON ({@link #contentDigest}); under the chain lock only {@code SHA-256(previous ":" digest)} is
 *       left to compute, whatever the event's size.</li>
 *   <li>{@link Scheme#LEGACY} (events migrated from the HAPI-stored trail): {@code SHA-256(previous json)}, as they
 *       were chained when written, so the migrated trail verifies unchanged.</li>
 * </ul>
 */
public final class ChainHash {

    /** The hash the first event of a trail links to. */
    public static final String GENESIS = "0".repeat(64);

    /** How a row's hash was computed; stored with the row. */
    public enum Scheme {
        LEGACY(1),
        DIGEST(2);

        private final int code;

        Scheme(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        public static Scheme of(int code) {
            return code == 1 ? LEGACY : DIGEST;
        }
    }

    private ChainHash() {}

    public static String contentDigest(String canonicalJson) {
        return sha256(canonicalJson);
    }

    /** The hash of a row whose content is {@code canonicalJson}, linked to {@code previousHash}. */
    public static String link(Scheme scheme, String previousHash, String canonicalJson) {
        return scheme == Scheme.LEGACY ? sha256(previousHash + canonicalJson)
                : linkDigest(previousHash, contentDigest(canonicalJson));
    }

    /** {@link Scheme#DIGEST}: the link from a content digest computed beforehand. */
    public static String linkDigest(String previousHash, String contentDigest) {
        return sha256(previousHash + ":" + contentDigest);
    }

    public static String sha256(String text) {
        return DigestUtils.sha256Hex(text);
    }
}
