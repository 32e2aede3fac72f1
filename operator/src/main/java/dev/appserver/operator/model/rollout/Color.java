package dev.appserver.operator.model.rollout;

/** The two colours of a blue-green AppServer. */
public enum Color {
  BLUE,
  GREEN;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public Color other() {
    return this == BLUE ? GREEN : BLUE;
  }

  public static Color parse(String label) {
    if (label == null) return null;
    for (Color c : values()) if (c.label().equals(label)) return c;
    return null;
  }
}
