package dev.appserver.operator.admission;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * A Kubernetes resource quantity ("500m", "2", "1.5Gi", "1e3") as the apiserver parses it, and the value
 * behind CEL's {@code kubernetes.Quantity} type.
 *
 * <p>Parsing follows apimachinery's {@code resource.ParseQuantity} rather than fabric8's
 * {@code Quantity.getAmountInBytes}, which accepts strings Kubernetes refuses ("1m5") and refuses strings
 * it accepts ("-"). Like apimachinery, a value keeps either a small exact form (an int64 and a power of
 * ten, which is what {@link #isInteger()} looks at) or an arbitrary-precision form rounded up to nano
 * units (never an integer for {@code isInteger()}).
 */
public final class KubernetesQuantity implements Comparable<KubernetesQuantity> {

  private static final BigDecimal MAX_INT64 = BigDecimal.valueOf(Long.MAX_VALUE);
  private static final int NANO_SCALE = 9;
  private static final String SUFFIX_CHARS = "eEinumkKMGTP";
  // apimachinery's three parse errors
  private static final String FORMAT_WRONG =
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  private static final String NUMERIC = "unable to parse numeric part of quantity";
  private static final String SUFFIX = "unable to parse quantity's suffix";

  /** The exact value; in the int64 form its unscaled value fits a long and its scale is minus the exponent. */
  private final BigDecimal amount;
  /** True for apimachinery's int64Amount representation, false for its inf.Dec representation. */
  private final boolean int64Form;

  private KubernetesQuantity(BigDecimal amount, boolean int64Form) {
    this.amount = amount;
    this.int64Form = int64Form;
  }

  /** Parses like {@code resource.ParseQuantity}; empty if Kubernetes would reject the string. */
  public static Optional<KubernetesQuantity> tryParse(String text) {
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses like {@code resource.ParseQuantity}.
   *
   * @throws IllegalArgumentException with apimachinery's message if Kubernetes would reject the string
   */
  public static KubernetesQuantity parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException(FORMAT_WRONG);
    }
    try {
      return parseNonEmpty(text);
    } catch (ArithmeticException e) { // an exponent beyond BigDecimal's range
      throw new IllegalArgumentException(NUMERIC, e);
    }
  }

  /** Whether Kubernetes accepts the string as a quantity (CEL's {@code isQuantity}). */
  public static boolean isValid(String text) {
    return tryParse(text).isPresent();
  }

  /** The quantity {@code value} (CEL's {@code add(int)} and {@code sub(int)} operand). */
  public static KubernetesQuantity of(long value) {
    return new KubernetesQuantity(BigDecimal.valueOf(value), true);
  }

  private static KubernetesQuantity parseNonEmpty(String s) {
    if (s.equals("0")) {
      return of(0);
    }
    int end = s.length();
    int pos = 0;
    boolean positive = true;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      positive = s.charAt(0) == '+';
      pos++;
    }
    while (pos < end && s.charAt(pos) == '0') { // leading zeros
      pos++;
    }
    if (pos == end) { // only a sign and zeros: "-", "+", "000"
      return of(0);
    }
    int numStart = pos;
    pos = skipDigits(s, pos);
    String num = s.substring(numStart, pos);
    String denom = "";
    if (pos < end && s.charAt(pos) == '.') {
      int denomStart = ++pos;
      pos = skipDigits(s, pos);
      denom = s.substring(denomStart, pos);
    }
    String numeric = s.substring(0, pos); // sign, digits and point, as written
    int suffixStart = pos;
    while (pos < end && SUFFIX_CHARS.indexOf(s.charAt(pos)) >= 0) {
      pos++;
    }
    if (pos < end && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
      pos++;
    }
    if (skipDigits(s, pos) != end) {
      throw new IllegalArgumentException(FORMAT_WRONG);
    }
    Suffix suffix = Suffix.of(s.substring(suffixStart));
    if (suffix == null) {
      throw new IllegalArgumentException(SUFFIX); // such as "K" or "m5"
    }
    if (num.isEmpty()) {
      num = "0";
    }

    KubernetesQuantity exact = int64FormOrNull(positive, num, denom, suffix);
    if (exact != null) {
      return exact;
    }
    if (numeric.chars().noneMatch(Character::isDigit)) {
      throw new IllegalArgumentException(NUMERIC); // ".e-10": no digits for the arbitrary-precision path
    }
    BigDecimal value = new BigDecimal(numeric.startsWith("+") ? numeric.substring(1) : numeric);
    value = suffix.base == 10
        ? value.scaleByPowerOfTen(suffix.exponent)
        : value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(suffix.exponent)));
    BigDecimal magnitude = value.abs();
    if (magnitude.scale() > NANO_SCALE) {
      magnitude = magnitude.setScale(NANO_SCALE, RoundingMode.UP); // at least one nano unit
    }
    if (suffix.base == 2 && magnitude.compareTo(MAX_INT64) > 0) {
      magnitude = MAX_INT64;
    }
    return new KubernetesQuantity(value.signum() < 0 ? magnitude.negate() : magnitude, false);
  }

  /** apimachinery's fast path: an int64 value times a power of ten, when it fits. */
  private static KubernetesQuantity int64FormOrNull(boolean positive, String num, String denom, Suffix suffix) {
    int digits = num.length() + denom.length();
    long exponent10;
    long multiplier = 1;
    if (suffix.base == 10) {
      if (digits > 18) {
        return null;
      }
      exponent10 = suffix.exponent;
    } else {
      int precision = 15 - num.length() - (int) ((float) suffix.exponent * 3 / 10) - 1;
      if (suffix.exponent < 0 || !denom.isEmpty() || precision < 0) {
        return null;
      }
      multiplier = 1L << suffix.exponent;
      exponent10 = 0;
    }
    exponent10 -= denom.length();
    if (exponent10 < -NANO_SCALE) {
      return null;
    }
    long unscaled = Long.parseLong(num + denom);
    long value;
    try {
      value = Math.multiplyExact(unscaled, multiplier);
    } catch (ArithmeticException overflow) {
      return null;
    }
    return new KubernetesQuantity(BigDecimal.valueOf(positive ? value : -value, Math.toIntExact(-exponent10)), true);
  }

  private static int skipDigits(String s, int pos) {
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    return pos;
  }

  private record Suffix(int base, int exponent) {
    static Suffix of(String suffix) {
      switch (suffix) {
        case "": return new Suffix(10, 0);
        case "n": return new Suffix(10, -9);
        case "u": return new Suffix(10, -6);
        case "m": return new Suffix(10, -3);
        case "k": return new Suffix(10, 3);
        case "M": return new Suffix(10, 6);
        case "G": return new Suffix(10, 9);
        case "T": return new Suffix(10, 12);
        case "P": return new Suffix(10, 15);
        case "E": return new Suffix(10, 18);
        case "Ki": return new Suffix(2, 10);
        case "Mi": return new Suffix(2, 20);
        case "Gi": return new Suffix(2, 30);
        case "Ti": return new Suffix(2, 40);
        case "Pi": return new Suffix(2, 50);
        case "Ei": return new Suffix(2, 60);
        default:
          if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
            try {
              return new Suffix(10, (int) Long.parseLong(suffix.substring(1))); // int32 wrap, as Go does
            } catch (NumberFormatException e) {
              return null;
            }
          }
          return null;
      }
    }
  }

  /** The exact value (for example 0.5 for "500m", 1073741824 for "1Gi"). */
  public BigDecimal amount() {
    return amount;
  }

  /** CEL {@code isInteger()}: the value is held as an int64 without a fractional power of ten. */
  public boolean isInteger() {
    return asLong().isPresent();
  }

  /** CEL {@code asInteger()}. */
  public long asInteger() {
    return asLong().orElseThrow(() -> new ArithmeticException("cannot convert value to integer"));
  }

  private Optional<Long> asLong() {
    if (!int64Form || amount.scale() > 0) {
      return Optional.empty(); // "2000m" and "1.0" are not integers to apimachinery either
    }
    try {
      return Optional.of(amount.longValueExact());
    } catch (ArithmeticException overflow) {
      return Optional.empty();
    }
  }

  /** CEL {@code asApproximateFloat()}. */
  public double asApproximateFloat() {
    return amount.unscaledValue().doubleValue() * Math.pow(10, -amount.scale());
  }

  /** CEL {@code sign()}: -1, 0 or 1. */
  public int sign() {
    return amount.signum();
  }

  /** CEL {@code add(Quantity)}. */
  public KubernetesQuantity add(KubernetesQuantity other) {
    return combine(other.amount, other.int64Form);
  }

  /** CEL {@code sub(Quantity)}. */
  public KubernetesQuantity sub(KubernetesQuantity other) {
    return combine(other.amount.negate(), other.int64Form);
  }

  private KubernetesQuantity combine(BigDecimal other, boolean otherInt64Form) {
    if (int64Form && otherInt64Form) {
      if (other.signum() == 0) {
        return this;
      }
      if (amount.signum() == 0) {
        return new KubernetesQuantity(other, true);
      }
      BigDecimal sum = amount.add(other); // at the finer of the two scales, like int64Amount.Add
      if (fitsInt64(amount.setScale(sum.scale())) && fitsInt64(other.setScale(sum.scale())) && fitsInt64(sum)) {
        return new KubernetesQuantity(sum, true);
      }
    }
    return new KubernetesQuantity(amount.add(other), false);
  }

  private static boolean fitsInt64(BigDecimal value) {
    return value.unscaledValue().bitLength() < 64;
  }

  /** CEL {@code isGreaterThan(Quantity)}. */
  public boolean isGreaterThan(KubernetesQuantity other) {
    return compareTo(other) > 0;
  }

  /** CEL {@code isLessThan(Quantity)}. */
  public boolean isLessThan(KubernetesQuantity other) {
    return compareTo(other) < 0;
  }

  /** Compares values ("2" equals "2000m"); CEL {@code compareTo(Quantity)}. */
  @Override
  public int compareTo(KubernetesQuantity other) {
    return amount.compareTo(other.amount);
  }

  /** Equal values are equal quantities, whatever their notation (CEL's {@code ==}). */
  @Override
  public boolean equals(Object o) {
    return o instanceof KubernetesQuantity q && compareTo(q) == 0;
  }

  @Override
  public int hashCode() {
    return amount.signum() == 0 ? 0 : amount.stripTrailingZeros().hashCode();
  }

  /** The value in plain decimal notation without trailing zeros ("0.5" for "500m"), for messages. */
  @Override
  public String toString() {
    return amount.signum() == 0 ? "0" : amount.stripTrailingZeros().toPlainString();
  }
}
