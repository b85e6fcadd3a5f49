package io.omelet.registry.search;

import io.omelet.registry.RegistryException;

/**
 * A filter or order-by string that does not parse. The message quotes the string with a caret
 * under the position and says what was expected there.
 */
public class FilterSyntaxException extends RegistryException {
  private final int position;
  private final String expected;

  FilterSyntaxException(String input, int position, String expected, String found) {
    super(render(input, position, expected, found));
    this.position = position;
    this.expected = expected;
  }

  /** 0-based character offset into the filter string. */
  public int position() {
    return position;
  }

  /** What the parser expected at {@link #position()}. */
  public String expected() {
    return expected;
  }

  private static String render(String input, int position, String expected, String found) {
    StringBuilder caret = new StringBuilder();
    for (int i = 0; i < position; i++) caret.append(input.charAt(i) == '\t' ? '\t' : ' ');
    caret.append('^');
    return "bad filter at position " + position + ": expected " + expected + ", found " + found
        + "\n  " + input + "\n  " + caret;
  }
}
