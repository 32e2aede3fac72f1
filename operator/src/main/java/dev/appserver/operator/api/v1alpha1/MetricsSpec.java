package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsSpec {

  @Default("true")
  @JsonPropertyDescription("Serve Gunicorn's own saturation metrics (requests in flight against capacity, answers by status class, durations, CPU time, worker restarts by cause, the listen backlog) in Prometheus format from every pod, measured by the generated Gunicorn configuration with no change to the image. Default true.")
  private Boolean enabled;

  @Default("9464")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Container port (named metrics) that serves /metrics. Default 9464; must differ from spec.port.")
  private Integer port;

  @Default("true")
  @JsonPropertyDescription("Put prometheus.io/scrape, /port and /path annotations on the pods, for Prometheus set up to discover pods by annotation. Default true.")
  private Boolean scrapeAnnotations;

  @Default("true")
  @JsonPropertyDescription("Create a Prometheus Operator PodMonitor for the pods' metrics port when the cluster has the PodMonitor CRD (monitoring.coreos.com/v1). Default true.")
  private Boolean podMonitor;

  public Boolean getPodMonitor() { return podMonitor; }
  public void setPodMonitor(Boolean podMonitor) { this.podMonitor = podMonitor; }
  public Boolean getEnabled() { return enabled; }
  public void setEnabled(Boolean enabled) { this.enabled = enabled; }
  public Integer getPort() { return port; }
  public void setPort(Integer port) { this.port = port; }
  public Boolean getScrapeAnnotations() { return scrapeAnnotations; }
  public void setScrapeAnnotations(Boolean scrapeAnnotations) { this.scrapeAnnotations = scrapeAnnotations; }
}
