package uk.sharedcare.record.hooks;

/**
 * The order of the plugin's HAPI interceptors, in one place. HAPI calls the hooks of one pointcut from the lowest
 * order to the highest; the plugin's steps depend on that order, so every interceptor takes its order from here
 * ({@code @Interceptor(order = InterceptorOrder.X)}), and {@code InterceptorOrderIT} checks that each one is
 * registered on the server with the order named here.
 */
public final class InterceptorOrder {

    /** Rule 9 on a write, before anything changes the resource being written. */
    public static final int WRITE_AUTHORISATION = -50;
    /** Rule 12 on a write of a referral or its status: after rule 9, and before the profiles read what it records. */
    public static final int REFERRALS = -45;
    /** The record's profiles, after rule 9 and before labelling, so a refused write is never validated. */
    public static final int WRITE_VALIDATION = -40;
    /** Steps whose relative order does not matter: custodian tag, sensitivity labels, capability statement. */
    public static final int UNORDERED = 0;
    /** The access-path table, before HAPI's consent interceptor and anything that reads data. */
    public static final int REQUEST_GUARD = 50;
    /** Searches about one patient run unstored first, counting their matches before consent hides any. */
    public static final int SMALL_SEARCHES = 55;
    /** Pages cut again from the stored result, before HAPI's consent interceptor carries out obligations. */
    public static final int VISIBLE_PAGES = 60;
    /** The states of every patient a batch of resources is about, made current in one query before consent decides. */
    public static final int PATIENT_STATES = 90;
    /** HAPI's own {@code ConsentInterceptor} (its {@code AuthorizationConstants.ORDER_CONSENT_INTERCEPTOR}). */
    public static final int CONSENT = 100;
    /** Binding a response's paging links to its caller, once {@link #VISIBLE_PAGES} has made them. */
    public static final int SEARCH_OWNERS = 900;
    /** The audit record of what was finally shown, after everything that changes the response. */
    public static final int AUDIT = 1000;

    private InterceptorOrder() {}
}
