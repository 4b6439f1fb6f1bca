package uk.sharedcare.population;

/**
 * NHS numbers: ten digits whose last is a modulus-11 check digit over the first nine (weights 10 down to 2;
 * check = 11 - sum mod 11, where 11 becomes 0 and 10 means the nine digits cannot start an NHS number).
 * Synthetic numbers are drawn from the 999 range, which NHS England keeps for test data.
 */
public final class NhsNumber {

    private static final long SYNTHETIC_BASE = 999_200_000L;

    private NhsNumber() {}

    /** Whether the ten digits carry a valid check digit. */
    public static boolean isValid(String number) {
        if (number == null || !number.matches("\\d{10}")) {
            return false;
        }
        int check = checkDigit(number.substring(0, 9));
        return check >= 0 && check == number.charAt(9) - '0';
    }

    /** The check digit for nine digits, or -1 when no valid NHS number starts with them. */
    public static int checkDigit(String nineDigits) {
        int sum = 0;
        for (int i = 0; i < 9; i++) {
            sum += (nineDigits.charAt(i) - '0') * (10 - i);
        }
        int check = 11 - sum % 11;
        return check == 11 ? 0 : check == 10 ? -1 : check;
    }

    /**
     * The synthetic NHS number of the population's {@code index}th patient: distinct for every index. Each index
     * owns two consecutive nine-digit stems whose weighted sums differ by 2 (weight 2, no carry), so at least one
     * of them has a check digit.
     */
    public static String synthetic(int index) {
        long stem = SYNTHETIC_BASE + 2L * index;
        int check = checkDigit(Long.toString(stem));
        if (check < 0) {
            stem++;
            check = checkDigit(Long.toString(stem));
        }
        return stem + Integer.toString(check);
    }
}
