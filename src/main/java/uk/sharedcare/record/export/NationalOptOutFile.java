package uk.sharedcare.record.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.codec.digest.DigestUtils;
import uk.sharedcare.record.consent.NationalOptOutList;

/**
 * Reads the national service's answer from where the deployment puts it ({@code shared-care.extract.national-opt-out}):
 * a text or CSV file with an NHS number in a configured column of each line. Lines starting with {@code #} say
 * what the answer is: {@code # checked: YYYY-MM-DD} (the day the service was asked; without it, the day the file
 * was last written), {@code # source: ...}, and {@code # meaning: may-be-used} or {@code opted-out} (without it,
 * the configured meaning). Blank lines and a header row without digits are skipped; any
 * other line that holds no ten-digit NHS number makes the whole answer unusable, since a misread list would
 * leave out the wrong patients.
 */
final class NationalOptOutFile {

    private static final Pattern NHS_NUMBER = Pattern.compile("[0-9]{10}");
    private static final Pattern NO_DIGITS = Pattern.compile("[^0-9]*");

    /** The answer cannot be used as it is; no extract that needs it is made. */
    static final class UnusableException extends RuntimeException {
        UnusableException(String message) {
            super(message);
        }
    }

    private NationalOptOutFile() {}

    /** The answer at the configured place; empty if there is none there. */
    static Optional<NationalOptOutList> read(ExtractProperties.NationalOptOut where) {
        if (where.list() == null) {
            return Optional.empty();
        }
        byte[] content;
        try {
            content = Files.readAllBytes(where.list());
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the National Data Opt-out answer " + where.list(), e);
        }
        return Optional.of(parse(where, content, lastWritten(where.list())));
    }

    static NationalOptOutList parse(ExtractProperties.NationalOptOut where, byte[] content, LocalDate lastWritten) {
        String name = where.list().getFileName().toString();
        Set<String> numbers = new HashSet<>();
        LocalDate checked = null;
        String source = null;
        NationalOptOutList.Meaning meaning = where.meaning();
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("#")) {
                String said = line.substring(1).strip();
                String key = said.contains(":") ? said.substring(0, said.indexOf(':')).strip().toLowerCase(Locale.ROOT)
                        : "";
                String value = said.contains(":") ? said.substring(said.indexOf(':') + 1).strip() : "";
                if (key.equals("checked")) {
                    checked = date(value, name, i + 1);
                } else if (key.equals("source")) {
                    source = value;
                } else if (key.equals("meaning")) {
                    meaning = meaning(value, name, i + 1);
                }
                continue;
            }
            if (line.isEmpty()) {
                continue;
            }
            String[] columns = line.split(",", -1);
            String cell = columns.length < where.nhsNumberColumn() ? ""
                    : columns[where.nhsNumberColumn() - 1].replace("\"", "").replace(" ", "").strip();
            if (NHS_NUMBER.matcher(cell).matches()) {
                numbers.add(cell);
            } else if (!(numbers.isEmpty() && NO_DIGITS.matcher(line).matches())) {
                throw new UnusableException("The National Data Opt-out answer " + name + " cannot be used: line "
                        + (i + 1) + " has no NHS number in column " + where.nhsNumberColumn());
            }
        }
        String described = name + (source == null ? "" : ", " + source);
        return new NationalOptOutList(meaning, numbers, checked == null ? lastWritten : checked, described,
                DigestUtils.sha256Hex(content));
    }

    private static LocalDate date(String value, String name, int line) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new UnusableException("The National Data Opt-out answer " + name + " cannot be used: line " + line
                    + " gives the day it was checked as '" + value + "', not YYYY-MM-DD");
        }
    }

    private static NationalOptOutList.Meaning meaning(String value, String name, int line) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "may-be-used" -> NationalOptOutList.Meaning.MAY_BE_USED;
            case "opted-out" -> NationalOptOutList.Meaning.OPTED_OUT;
            default -> throw new UnusableException("The National Data Opt-out answer " + name + " cannot be used: line "
                    + line + " gives its meaning as '" + value + "', not may-be-used or opted-out");
        };
    }

    private static LocalDate lastWritten(Path file) {
        try {
            return LocalDate.ofInstant(Files.getLastModifiedTime(file).toInstant(), ExtractRequest.UK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
