package dev.appserver.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.fabric8.kubernetes.model.jackson.GoCompatibilityModule;
import io.fabric8.kubernetes.model.jackson.UnmatchedFieldTypeModule;

/**
 * The JSON mapping of Kubernetes objects, configured as the fabric8 client configures its own
 * (null fields omitted, null map values kept, Go-compatible numbers, additional properties), so
 * revision hashes and spec snapshots read the same as those written by earlier versions, without
 * the model depending on the client. RevisionsTest holds the two mappings equal.
 */
final class KubernetesJson {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModules(new JavaTimeModule(), new GoCompatibilityModule(), new UnmatchedFieldTypeModule())
      .disable(DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));

  private KubernetesJson() {}
}
