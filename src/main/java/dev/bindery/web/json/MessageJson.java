package dev.bindery.web.json;

/** Bintray's shape for errors and for plain success answers: {@code {"message": "..."}}. */
public record MessageJson(String message) {

    public static final MessageJson SUCCESS = new MessageJson("success");
}
