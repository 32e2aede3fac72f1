package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;

/** Field-by-field overrides of the restricted security contexts the operator sets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecuritySpec {

  @JsonPropertyDescription("Pod security context fields; each set field replaces the operator's default (runAsNonRoot true, seccompProfile RuntimeDefault).")
  private PodSecurityContext pod;

  @JsonPropertyDescription("Container security context fields; each set field replaces the operator's default (allowPrivilegeEscalation false, capabilities drop ALL, readOnlyRootFilesystem true, runAsNonRoot true).")
  private SecurityContext container;

  public PodSecurityContext getPod() { return pod; }
  public void setPod(PodSecurityContext pod) { this.pod = pod; }
  public SecurityContext getContainer() { return container; }
  public void setContainer(SecurityContext container) { this.container = container; }
}
