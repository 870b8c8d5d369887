package dev.bindery;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Plain-text mail through the configured SMTP relay (no authentication: a local relay), for the
 * signed URLs' callback emails and the usage threshold alerts. Thread-safe.
 */
public final class Mailer {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Config.Smtp smtp;

    /** @param smtp the relay, or null: {@link #enabled} is false and nothing is sent */
    public Mailer(Config.Smtp smtp) {
        this.smtp = smtp;
    }

    public boolean enabled() {
        return smtp != null;
    }

    /** Sends one message to every address in {@code to}; blocks until the relay accepted it. */
    public void send(List<String> to, String subject, String text) throws MessagingException {
        if (smtp == null) {
            throw new IllegalStateException("No SMTP server is configured");
        }
        var properties = new Properties();
        properties.put("mail.smtp.host", smtp.host());
        properties.put("mail.smtp.port", String.valueOf(smtp.port()));
        properties.put("mail.smtp.connectiontimeout", String.valueOf(TIMEOUT.toMillis()));
        properties.put("mail.smtp.timeout", String.valueOf(TIMEOUT.toMillis()));
        var message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress(smtp.from()));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(String.join(",", to), true));
        message.setSubject(subject, StandardCharsets.UTF_8.name());
        message.setText(text, StandardCharsets.UTF_8.name());
        Transport.send(message);
    }

    /** Whether {@code address} is one plain, syntactically valid mail address (RFC 822, strictly). */
    public static boolean isAddress(String address) {
        if (address == null || address.isBlank() || address.length() > 254) {
            return false;
        }
        try {
            var parsed = InternetAddress.parse(address, true);
            if (parsed.length != 1 || !address.trim().equals(parsed[0].getAddress())) {
                return false;
            }
            parsed[0].validate();
            return parsed[0].getAddress().contains("@");
        } catch (AddressException e) {
            return false;
        }
    }
}
