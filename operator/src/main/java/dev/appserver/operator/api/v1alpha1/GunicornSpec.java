package dev.appserver.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.maxRequests) || !has(self.maxRequestsJitter) || self.maxRequests == 0 || self.maxRequestsJitter < self.maxRequests",
    message = "spec.gunicorn.maxRequestsJitter must be smaller than spec.gunicorn.maxRequests",
    fieldPath = ".maxRequestsJitter")
@ValidationRule(
    value = "!has(self.extraArgs) || self.extraArgs.all(a, !(a.startsWith('-c') || a.startsWith('-b') || a.startsWith('-w') || a.startsWith('-k') || a.startsWith('-D') || a.startsWith('--config') || a.startsWith('--bind') || a.startsWith('--workers') || a.startsWith('--worker-class') || a.startsWith('--threads') || a.startsWith('--chdir') || a.startsWith('--daemon')))",
    message = "spec.gunicorn.extraArgs must not set --config, --bind, --workers, --worker-class, --threads, --chdir or --daemon (nor -c, -b, -w, -k, -D): the operator manages them (use spec.port and spec.workers)",
    fieldPath = ".extraArgs")
public class GunicornSpec {

  @Default("30")
  @Min(0)
  @Max(86400)
  @JsonPropertyDescription("Seconds a worker may stay silent before the master kills and replaces it. A sync worker is silent while it handles a request, so this bounds each request; a gthread worker signals from its main loop while its threads serve, so it does not bound requests; a gevent or uvicorn worker is silent while a request blocks its loop. 0 disables. Default 30. See docs/sizing.md.")
  private Integer timeoutSeconds;

  @Default("30")
  @Min(1)
  @Max(3600)
  @JsonPropertyDescription("Seconds in-flight requests get to finish after SIGTERM. The pod's terminationGracePeriodSeconds is computed to cover it. Default 30.")
  private Integer gracefulTimeoutSeconds;

  @Default("75")
  @Min(0)
  @Max(3600)
  @JsonPropertyDescription("Seconds to hold an idle keep-alive connection. The sync worker (profile cpu) ignores it and closes every connection after its response; gthread, gevent and uvicorn honour it. Default 75: above the 60 s idle timeout of common load balancers (AWS ALB, ingress-nginx), so the balancer, never Gunicorn, closes an idle connection first.")
  private Integer keepAliveSeconds;

  @Default("1000")
  @Min(0)
  @JsonPropertyDescription("Requests a worker serves before it is recycled (guards against memory leaks). 0 disables. Default 1000.")
  private Integer maxRequests;

  @Default("100")
  @Min(0)
  @JsonPropertyDescription("Random extra requests (0..jitter) added per worker to maxRequests so workers do not all restart at once. Default 100.")
  private Integer maxRequestsJitter;

  @Default("false")
  @JsonPropertyDescription("Load the application in the master before forking workers (less memory, faster boot; code is not reloaded on HUP). Default false.")
  private Boolean preload;

  @Default("4094")
  @Min(0)
  @Max(8190)
  @JsonPropertyDescription("Maximum size in bytes of the HTTP request line. 0 means unlimited. Default 4094.")
  private Integer limitRequestLine;

  @Default("100")
  @Min(0)
  @Max(32768)
  @JsonPropertyDescription("Maximum number of HTTP request header fields. Default 100.")
  private Integer limitRequestFields;

  @Default("8190")
  @Min(0)
  @JsonPropertyDescription("Maximum size in bytes of one HTTP request header field. 0 means unlimited. Default 8190.")
  private Integer limitRequestFieldSize;

  @JsonPropertyDescription("Comma-separated proxy addresses (or CIDRs, or *) trusted to set X-Forwarded-* headers. Unset keeps Gunicorn's default (loopback only).")
  private String forwardedAllowIps;

  @Default("info")
  @JsonPropertyDescription("Gunicorn error log level: debug, info, warning, error or critical. Default info.")
  private LogLevel logLevel;

  @Default("true")
  @JsonPropertyDescription("Write the access log to stdout. Default true.")
  private Boolean accessLog;

  @Size(max = 128)
  @JsonPropertyDescription("Extra Gunicorn command-line arguments, placed after --config and before the application. Flags the operator manages are refused. At most 128.")
  private List<String> extraArgs;

  public Integer getTimeoutSeconds() { return timeoutSeconds; }
  public void setTimeoutSeconds(Integer v) { this.timeoutSeconds = v; }
  public Integer getGracefulTimeoutSeconds() { return gracefulTimeoutSeconds; }
  public void setGracefulTimeoutSeconds(Integer v) { this.gracefulTimeoutSeconds = v; }
  public Integer getKeepAliveSeconds() { return keepAliveSeconds; }
  public void setKeepAliveSeconds(Integer v) { this.keepAliveSeconds = v; }
  public Integer getMaxRequests() { return maxRequests; }
  public void setMaxRequests(Integer v) { this.maxRequests = v; }
  public Integer getMaxRequestsJitter() { return maxRequestsJitter; }
  public void setMaxRequestsJitter(Integer v) { this.maxRequestsJitter = v; }
  public Boolean getPreload() { return preload; }
  public void setPreload(Boolean v) { this.preload = v; }
  public Integer getLimitRequestLine() { return limitRequestLine; }
  public void setLimitRequestLine(Integer v) { this.limitRequestLine = v; }
  public Integer getLimitRequestFields() { return limitRequestFields; }
  public void setLimitRequestFields(Integer v) { this.limitRequestFields = v; }
  public Integer getLimitRequestFieldSize() { return limitRequestFieldSize; }
  public void setLimitRequestFieldSize(Integer v) { this.limitRequestFieldSize = v; }
  public String getForwardedAllowIps() { return forwardedAllowIps; }
  public void setForwardedAllowIps(String v) { this.forwardedAllowIps = v; }
  public LogLevel getLogLevel() { return logLevel; }
  public void setLogLevel(LogLevel v) { this.logLevel = v; }
  public Boolean getAccessLog() { return accessLog; }
  public void setAccessLog(Boolean v) { this.accessLog = v; }
  public List<String> getExtraArgs() { return extraArgs; }
  public void setExtraArgs(List<String> v) { this.extraArgs = v; }
}
