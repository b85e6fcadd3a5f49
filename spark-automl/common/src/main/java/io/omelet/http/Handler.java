package io.omelet.http;

/** Answers one routed request; throws {@link HttpError} for an error the client caused. */
@FunctionalInterface
public interface Handler {
  Response handle(Request request) throws Exception;
}
