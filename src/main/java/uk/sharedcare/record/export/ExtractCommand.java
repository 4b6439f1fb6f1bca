package uk.sharedcare.record.export;

import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.context.ApplicationContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.SecondaryUsePolicy;

/**
 * The extract as a command, for an operator or a scheduler outside the server:
 * {@code java -jar shared-care-record.jar extract --month 2026-10 --recipient X9Z01 [--out DIR]
 * [--purpose HOPERAT] [--group ID] [--type Patient,Observation] [--spring settings...]}. It makes the same files a
 * Bulk Data {@code $export} of the same month makes for the same recipient, plus {@code manifest.json}, and is
 * audited like it. Arguments it does not know that start with {@code --} go to the server's configuration (the
 * database to read, for example).
 *
 * @param month     the month to extract
 * @param recipient the receiving organisation's ODS code
 * @param out       the directory to write (created; by default {@code extract-<recipient>-<month>})
 * @param purpose   purpose of use; HOPERAT unless given
 * @param group     a Group id, to extract only its members
 * @param types     the types to extract; all extracted types unless given
 * @param springArguments the remaining arguments, for the server's configuration
 */
public record ExtractCommand(YearMonth month, String recipient, Path out, PurposeOfUse purpose,
        Optional<String> group, Set<String> types, List<String> springArguments) {

    public static final String NAME = "extract";
    static final String USAGE = "usage: extract --month YYYY-MM --recipient ODS [--out DIR] [--purpose HOPERAT|HRESCH]"
            + " [--group ID] [--type T1,T2] [--spring.property=value ...]";

    public static boolean isCommand(String[] args) {
        return args.length > 0 && NAME.equals(args[0]);
    }

    public static ExtractCommand parse(String[] args) {
        YearMonth month = null;
        String recipient = null;
        Path out = null;
        PurposeOfUse purpose = PurposeOfUse.HOPERAT;
        Optional<String> group = Optional.empty();
        Set<String> types = new LinkedHashSet<>(ExtractRequest.EXTRACTED_TYPES);
        List<String> spring = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--month" -> month = month(value(args, ++i, arg));
                case "--recipient" -> recipient = value(args, ++i, arg);
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--purpose" -> purpose = purpose(value(args, ++i, arg));
                case "--group" -> group = Optional.of(value(args, ++i, arg));
                case "--type" -> types = types(value(args, ++i, arg));
                default -> {
                    if (!arg.startsWith("--")) {
                        throw new IllegalArgumentException("Unexpected argument '" + arg + "'\n" + USAGE);
                    }
                    spring.add(arg);
                }
            }
        }
        if (month == null || recipient == null) {
            throw new IllegalArgumentException("--month and --recipient are required\n" + USAGE);
        }
        return new ExtractCommand(month, recipient,
                out == null ? Path.of("extract-" + recipient + "-" + month) : out, purpose, group, types, spring);
    }

    /** Runs the extract with the server's beans; returns the process exit code. */
    public int run(ApplicationContext server) {
        Decision allowed = server.getBean(SecondaryUsePolicy.class).decideRecipient(recipient, purpose);
        if (!allowed.permits()) {
            System.err.println("Refused: " + allowed.deciding().explain());
            return 3;
        }
        ExtractRequest request = new ExtractRequest(month, recipient, purpose, types, group, Optional.empty());
        Requester operator = new Requester("operator:" + System.getProperty("user.name"), "extract-command",
                recipient, purpose, Optional.empty());
        ExtractResult result;
        try {
            result = server.getBean(ExtractService.class).runInto(out, operator, request,
                    "extract --month " + month + " --recipient " + recipient);
        } catch (ExtractService.NotStartedException notStarted) {
            System.err.println("Refused: " + notStarted.getMessage());
            return 3;
        }
        System.out.printf("Extract for %s, %s: %d patients; files in %s%n", recipient, month,
                result.patientsIncluded(), out.toAbsolutePath());
        result.files().forEach(file -> System.out.printf("  %-28s %8d%n", file.fileName(), file.count()));
        result.patientsExcluded().forEach((rule, count) ->
                System.out.printf("  patients left out, %-30s %6d%n", rule, count));
        return 0;
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[index];
    }

    private static YearMonth month(String text) {
        try {
            return YearMonth.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--month must be YYYY-MM, not '" + text + "'");
        }
    }

    private static PurposeOfUse purpose(String code) {
        return Arrays.stream(PurposeOfUse.values()).filter(p -> p.code().equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Unknown purpose of use '" + code + "'"));
    }

    private static Set<String> types(String list) {
        Set<String> types = new LinkedHashSet<>(Arrays.asList(list.split(",")));
        if (!ExtractRequest.EXTRACTED_TYPES.containsAll(types)) {
            throw new IllegalArgumentException("--type must be among " + ExtractRequest.EXTRACTED_TYPES);
        }
        return types;
    }
}
