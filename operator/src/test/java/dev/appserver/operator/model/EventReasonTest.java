package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Users match Events by their reason: each one the operator records is documented, with its type. */
class EventReasonTest {
  private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| (Normal|Warning) \\|", Pattern.MULTILINE);

  private static Map<String, String> documented(String doc) throws IOException {
    Path root = Path.of(System.getProperty("appserver.repoRoot", ".."));
    String text = Files.readString(root.resolve("docs").resolve(doc));
    String events = text.substring(text.indexOf("## Events"));
    Map<String, String> rows = new TreeMap<>();
    ROW.matcher(events.substring(0, events.indexOf("\n## ", 1) < 0 ? events.length() : events.indexOf("\n## ", 1)))
        .results().forEach(m -> rows.put(m.group(1), m.group(2)));
    return rows;
  }

  @Test
  void everyReasonIsDocumentedWithItsType() throws IOException {
    Map<String, String> docs = new TreeMap<>(documented("configuration.md"));
    docs.putAll(documented("blue-green.md"));
    Map<String, String> code = Arrays.stream(EventReason.values())
        .collect(Collectors.toMap(Enum::name, r -> r.type().name(), (a, b) -> a, TreeMap::new));
    assertThat(code).isEqualTo(docs);
  }
}
