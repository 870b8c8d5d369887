package dev.bindery.formats.maven;

import dev.bindery.BinderyException;
import java.io.IOException;
import java.io.InputStream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads a POM's coordinates with the JDK's DOM parser, DTDs and external entities off (no XXE, no
 * entity expansion bombs). groupId and version fall back to the {@code <parent>}'s, as Maven's do.
 */
final class PomReader {

    /** What a POM says about itself; a value is null when the POM does not give it. */
    record Pom(String groupId, String artifactId, String version, String packaging) {
    }

    private static final DocumentBuilderFactory FACTORY = factory();

    private PomReader() {
    }

    /** @throws BinderyException badRequest when the bytes are not a POM */
    static Pom read(InputStream in, String name) throws IOException {
        Element project;
        try {
            var builder = FACTORY.newDocumentBuilder();
            builder.setErrorHandler(null);
            project = builder.parse(in).getDocumentElement();
        } catch (SAXException e) {
            throw BinderyException.badRequest("POM '" + name + "' is not well-formed XML: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
        if (!"project".equals(localName(project))) {
            throw BinderyException.badRequest("POM '" + name + "' has root element <" + localName(project)
                    + ">, not <project>");
        }
        var parent = child(project, "parent");
        var groupId = text(project, "groupId");
        var version = text(project, "version");
        if (parent != null) {
            groupId = groupId != null ? groupId : text(parent, "groupId");
            version = version != null ? version : text(parent, "version");
        }
        return new Pom(groupId, text(project, "artifactId"), version, text(project, "packaging"));
    }

    private static String text(Element parent, String name) {
        var element = child(parent, name);
        if (element == null) {
            return null;
        }
        var value = element.getTextContent().trim();
        return value.isEmpty() ? null : value;
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(localName(element))) {
                return element;
            }
        }
        return null;
    }

    private static String localName(Element element) {
        return element.getLocalName() != null ? element.getLocalName() : element.getTagName();
    }

    private static DocumentBuilderFactory factory() {
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            return factory;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("JDK XML parser without secure processing", e);
        }
    }
}
