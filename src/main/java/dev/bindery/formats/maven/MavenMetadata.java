package dev.bindery.formats.maven;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes an artifact-level {@code maven-metadata.xml} (the versions of one groupId:artifactId) and
 * the checksum files Maven clients fetch beside every file.
 */
final class MavenMetadata {

    /** Maven's {@code lastUpdated} format, always UTC. */
    static final DateTimeFormatter LAST_UPDATED = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final XMLOutputFactory OUTPUT = XMLOutputFactory.newFactory();

    private MavenMetadata() {
    }

    /**
     * @param versions    in Maven order, oldest first; not empty
     * @param release     the newest non-SNAPSHOT version, or null
     * @param lastUpdated when a file of the artifact was last published
     */
    static byte[] artifact(String groupId, String artifactId, List<String> versions, String release,
                           Instant lastUpdated) {
        var out = new ByteArrayOutputStream();
        try {
            XMLStreamWriter xml = OUTPUT.createXMLStreamWriter(out, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("metadata");
            element(xml, 1, "groupId", groupId);
            element(xml, 1, "artifactId", artifactId);
            indent(xml, 1);
            xml.writeStartElement("versioning");
            element(xml, 2, "latest", versions.get(versions.size() - 1));
            if (release != null) {
                element(xml, 2, "release", release);
            }
            indent(xml, 2);
            xml.writeStartElement("versions");
            for (var version : versions) {
                element(xml, 3, "version", version);
            }
            indent(xml, 2);
            xml.writeEndElement();
            element(xml, 2, "lastUpdated", LAST_UPDATED.format(lastUpdated));
            indent(xml, 1);
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("Cannot write maven-metadata.xml", e);
        }
        return out.toByteArray();
    }

    private static void element(XMLStreamWriter xml, int depth, String name, String text) throws XMLStreamException {
        indent(xml, depth);
        xml.writeStartElement(name);
        xml.writeCharacters(text);
        xml.writeEndElement();
    }

    private static void indent(XMLStreamWriter xml, int depth) throws XMLStreamException {
        xml.writeCharacters("\n" + "  ".repeat(depth));
    }

    /** The JDK digest name of a Maven checksum extension. */
    static String digestName(String algorithm) {
        return switch (algorithm) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new IllegalArgumentException(algorithm);
        };
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(digestName(algorithm));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without " + algorithm, e);
        }
    }

    /** A checksum file's body: the lowercase hex digest, as Maven writes them. */
    static byte[] checksum(String algorithm, byte[] data) {
        return hex(digest(algorithm).digest(data));
    }

    static byte[] hex(byte[] digest) {
        return HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
    }
}
