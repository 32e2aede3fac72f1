package dev.appserver.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The AppServer CRD generated from the api classes, admitted as the apiserver would. */
class AdmissionTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Admission ADMISSION = Admission.fromClasspath();

  @Test
  void loadsTheGeneratedCrdOnce() {
    assertThat(Admission.fromClasspath()).isSameAs(ADMISSION);
  }

  @Test
  void defaultsCascadeIntoAMinimalAppServer() {
    Admission.Result result = ADMISSION.admit(minimal());

    assertThat(result.errors()).isEmpty();
    assertThat(result.valid()).isTrue();
    JsonNode spec = result.defaulted().get("spec");
    assertThat(spec.get("image").asText()).isEqualTo("registry.example.com/shop/web:1.4.2");
    assertThat(spec.get("port").asInt()).isEqualTo(8000);
    assertThat(spec.get("replicas").asInt()).isEqualTo(2);
    assertThat(spec.at("/workers/max").asInt()).isEqualTo(8);
    assertThat(spec.at("/workers/workerClass").asText()).isEqualTo("sync");
    assertThat(spec.at("/workers/threads").asInt()).isEqualTo(1);
    assertThat(spec.at("/workers/count").isMissingNode()).isTrue(); // no default
    assertThat(spec.at("/gunicorn/timeoutSeconds").asInt()).isEqualTo(30);
    assertThat(spec.at("/gunicorn/gracefulTimeoutSeconds").asInt()).isEqualTo(30);
    assertThat(spec.at("/gunicorn/keepAliveSeconds").asInt()).isEqualTo(5);
    assertThat(spec.at("/gunicorn/maxRequests").asInt()).isEqualTo(1000);
    assertThat(spec.at("/gunicorn/maxRequestsJitter").asInt()).isEqualTo(100);
    assertThat(spec.at("/gunicorn/preload").asBoolean(true)).isFalse();
    assertThat(spec.at("/gunicorn/logLevel").asText()).isEqualTo("info");
    assertThat(spec.at("/gunicorn/accessLog").asBoolean()).isTrue();
    assertThat(spec.at("/gunicorn/limitRequestLine").asInt()).isEqualTo(4094);
    assertThat(spec.at("/probes/path").asText()).isEqualTo("/health");
    assertThat(spec.at("/service/type").asText()).isEqualTo("ClusterIP");
    assertThat(spec.at("/service/port").asInt()).isEqualTo(80);
    assertThat(spec.at("/disruptionBudget/enabled").asBoolean()).isTrue();
    assertThat(spec.at("/autoscaling/enabled").asBoolean(true)).isFalse();
    assertThat(spec.at("/autoscaling/minReplicas").asInt()).isEqualTo(2);
    assertThat(spec.at("/autoscaling/targetCPUUtilizationPercentage").asInt()).isEqualTo(75);
    assertThat(spec.at("/strategy/type").asText()).isEqualTo("RollingUpdate");
    assertThat(spec.at("/strategy/progressDeadlineSeconds").asInt()).isEqualTo(600);
  }

  @Test
  void keepsWhatIsSetAndDefaultsTheRest() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("workers").put("workerClass", "gthread").put("threads", 4);
    spec(appServer).put("port", 9000);

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    JsonNode spec = result.defaulted().get("spec");
    assertThat(spec.get("port").asInt()).isEqualTo(9000);
    assertThat(spec.at("/workers/workerClass").asText()).isEqualTo("gthread");
    assertThat(spec.at("/workers/threads").asInt()).isEqualTo(4);
    assertThat(spec.at("/workers/max").asInt()).isEqualTo(8);
  }

  @Test
  void worksOnACopy() {
    ObjectNode appServer = minimal();
    spec(appServer).put("workrs", 1);
    String before = appServer.toString();

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(appServer.toString()).isEqualTo(before);
    assertThat(result.defaulted()).isNotSameAs(appServer);
    assertThat(result.defaulted().get("spec").has("workrs")).isFalse(); // pruned, as the apiserver stores it
  }

  static Stream<Arguments> badAppServers() {
    return Stream.of(
        bad("missing image", s -> s.remove("image"),
            "spec.image", "Required value"),
        bad("app without a callable", s -> s.put("app", "app"),
            "spec.app", "Invalid value: \"app\": must match '^[A-Za-z_]"),
        bad("port out of range", s -> s.put("port", 70000),
            "spec.port", "Invalid value: 70000: must be less than or equal to 65535"),
        bad("threads with the sync worker", s -> s.putObject("workers").put("threads", 4).put("workerClass", "sync"),
            "spec.workers.threads", "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread"),
        bad("jitter not below maxRequests", s -> s.putObject("gunicorn").put("maxRequests", 100).put("maxRequestsJitter", 100),
            "spec.gunicorn.maxRequestsJitter", "must be smaller than spec.gunicorn.maxRequests"),
        bad("extraArgs sets --workers", s -> s.putObject("gunicorn").putArray("extraArgs").add("--workers").add("3"),
            "spec.gunicorn.extraArgs", "must not set --config, --bind, --workers"),
        bad("extraArgs sets --bind=", s -> s.putObject("gunicorn").putArray("extraArgs").add("--bind=0.0.0.0:80"),
            "spec.gunicorn.extraArgs", "must not set --config, --bind, --workers"),
        bad("GUNICORN_CMD_ARGS in env", s -> s.putArray("env").addObject().put("name", "GUNICORN_CMD_ARGS").put("value", "-w 3"),
            "spec.env", "spec.env must not set GUNICORN_CMD_ARGS"),
        bad("autoscaling without maxReplicas", s -> {
              s.putObject("autoscaling").put("enabled", true);
              s.putObject("resources").putObject("requests").put("cpu", "500m");
            },
            "spec.autoscaling.maxReplicas", "spec.autoscaling.maxReplicas is required when spec.autoscaling.enabled is true"),
        bad("autoscaling without a CPU request", s -> s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5),
            "spec.autoscaling", "spec.autoscaling needs a CPU request"),
        bad("autoscaling with only a memory request", s -> {
              s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5);
              s.putObject("resources").putObject("requests").put("memory", "256Mi");
            },
            "spec.autoscaling", "spec.autoscaling needs a CPU request"),
        bad("busyWorkers autoscaling with metrics off", s -> {
              s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5).put("metric", "busyWorkers");
              s.putObject("metrics").put("enabled", false);
            },
            "spec.autoscaling.metric", "spec.autoscaling.metric busyWorkers reads the pods' Gunicorn metrics: it needs spec.metrics.enabled"),
        bad("metrics on the application's port", s -> {
              s.put("port", 9000);
              s.putObject("metrics").put("port", 9000);
            },
            "spec.metrics.port", "spec.metrics.port must differ from spec.port"),
        bad("metrics on the default application port", s -> s.putObject("metrics").put("port", 8000),
            "spec.metrics.port", "spec.metrics.port must differ from spec.port"),
        bad("unknown autoscaling metric", s -> s.putObject("autoscaling").put("metric", "memory"),
            "spec.autoscaling.metric", "Unsupported value: \"memory\": supported values: \"busyWorkers\", \"cpu\""),
        bad("minReplicas above maxReplicas", s -> s.putObject("autoscaling").put("minReplicas", 5).put("maxReplicas", 3),
            "spec.autoscaling.minReplicas", "spec.autoscaling.minReplicas must not exceed spec.autoscaling.maxReplicas"),
        bad("cpu limit that is no quantity", s -> s.putObject("resources").putObject("limits").put("cpu", "lots"),
            "spec.resources", "spec.resources: cpu and memory must be quantities"),
        bad("memory request that is no quantity", s -> s.putObject("resources").putObject("requests").put("memory", "1.5.5Gi"),
            "spec.resources", "spec.resources: cpu and memory must be quantities"),
        bad("cpu request above the limit", s -> {
              ObjectNode resources = s.putObject("resources");
              resources.putObject("requests").put("cpu", 2);
              resources.putObject("limits").put("cpu", "1");
            },
            "spec.resources", "spec.resources.requests must not exceed spec.resources.limits"),
        bad("memory request above the limit", s -> {
              ObjectNode resources = s.putObject("resources");
              resources.putObject("requests").put("memory", "1Gi");
              resources.putObject("limits").put("memory", "1G");
            },
            "spec.resources", "spec.resources.requests must not exceed spec.resources.limits"),
        bad("zero memoryPerWorker", s -> s.putObject("workers").put("memoryPerWorker", "0"),
            "spec.workers.memoryPerWorker", "spec.workers.memoryPerWorker must be a positive quantity"),
        bad("memoryPerWorker that is no quantity", s -> s.putObject("workers").put("memoryPerWorker", "lots"),
            "spec.workers.memoryPerWorker", "spec.workers.memoryPerWorker must be a positive quantity"),
        bad("minAvailable and maxUnavailable", s -> s.putObject("disruptionBudget").put("minAvailable", 1).put("maxUnavailable", "50%"),
            "spec.disruptionBudget", "set either minAvailable or maxUnavailable, not both"),
        bad("misspelt field", s -> s.putObject("workrs").put("max", 3),
            "spec.workrs", "unknown field"),
        bad("unknown worker class", s -> s.putObject("workers").put("workerClass", "fast"),
            "spec.workers.workerClass", "Unsupported value: \"fast\": supported values: \"gevent\", \"gthread\", \"sync\", \"uvicorn\""),
        bad("liveness successThreshold 2", s -> s.putObject("probes").putObject("liveness").put("successThreshold", 2),
            "spec.probes.liveness.successThreshold", "spec.probes.liveness.successThreshold must be 1"),
        bad("startup successThreshold 3", s -> s.putObject("probes").putObject("startup").put("successThreshold", 3),
            "spec.probes.startup.successThreshold", "spec.probes.startup.successThreshold must be 1"),
        bad("probe path without a slash", s -> s.putObject("probes").putObject("readiness").put("path", "health"),
            "spec.probes.readiness.path", "must match '^/.*'"),
        bad("rollingUpdate with BlueGreen", s -> s.putObject("strategy").put("type", "BlueGreen").putObject("rollingUpdate").put("maxSurge", 1),
            "spec.strategy.rollingUpdate", "spec.strategy.rollingUpdate applies only to spec.strategy.type RollingUpdate"),
        bad("negative replicas", s -> s.put("replicas", -1),
            "spec.replicas", "Invalid value: -1: must be greater than or equal to 0"),
        bad("port as a string", s -> s.put("port", "8000"),
            "spec.port", "Invalid value: \"string\": must be of type integer"),
        bad("empty image", s -> s.put("image", ""),
            "spec.image", "Invalid value: \"\": must be at least 1 character long"),
        bad("too many extraArgs", s -> {
              var args = s.putObject("gunicorn").putArray("extraArgs");
              for (int i = 0; i < 129; i++) {
                args.add("--log-syslog");
              }
            },
            "spec.gunicorn.extraArgs", "Too many: 129: must have at most 128 items"));
  }

  private static Arguments bad(String name, Consumer<ObjectNode> change, String field, String message) {
    return arguments(name, change, field, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badAppServers")
  void rejectsBadAppServersNamingTheField(String name, Consumer<ObjectNode> change, String field, String message) {
    ObjectNode appServer = minimal();
    change.accept(spec(appServer));

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.valid()).isFalse();
    assertThat(result.errors())
        .filteredOn(e -> !e.field().isEmpty()) // "some validation rules were not checked ..."
        .singleElement()
        .satisfies(e -> {
          assertThat(e.field()).isEqualTo(field);
          assertThat(e.message()).contains(message);
          assertThat(e.toString()).isEqualTo(field + ": " + e.message());
        });
  }

  @Test
  void blockingErrorsSkipTheRulesLikeTheApiserver() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("workers").put("workerClass", "fast").put("threads", 4);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "spec.workers.workerClass: Unsupported value: \"fast\": supported values: \"gevent\", \"gthread\", \"sync\", \"uvicorn\"",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
  }

  @Test
  void otherErrorsStillRunTheRules() {
    ObjectNode appServer = minimal();
    spec(appServer).put("app", "app").putObject("workers").put("threads", 4);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::field)
        .containsExactly("spec.app", "spec.workers.threads");
  }

  @Test
  void reportsEveryError() {
    ObjectNode appServer = minimal();
    spec(appServer).remove("image");
    spec(appServer).put("port", 0).put("replics", 3);

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "spec.replics: unknown field",
        "spec.image: Required value",
        "spec.port: Invalid value: 0: must be greater than or equal to 1",
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
  }

  @Test
  void acceptsAFullySpecifiedAppServer() throws Exception {
    JsonNode appServer = YAML.readTree("""
        apiVersion: appserver.dev/v1alpha1
        kind: AppServer
        metadata:
          name: shop-web
          namespace: shop
          labels: {team: shop}
        spec:
          image: registry.example.com/shop/web:1.4.2
          app: shop.wsgi:create_app(config="prod")
          port: 8080
          replicas: 3
          resources:
            requests: {cpu: 500m, memory: 512Mi}
            limits: {cpu: "2", memory: 1Gi}
          env:
            - {name: LOG_FORMAT, value: json}
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: db, key: password}}
          envFrom:
            - configMapRef: {name: shop-config}
          podLabels: {tier: web}
          podAnnotations: {prometheus.io/scrape: "true"}
          workers: {count: 4, max: 16, memoryPerWorker: 128Mi, workerClass: gthread, threads: 8}
          gunicorn:
            timeoutSeconds: 60
            gracefulTimeoutSeconds: 45
            keepAliveSeconds: 75
            maxRequests: 5000
            maxRequestsJitter: 500
            preload: true
            limitRequestLine: 8190
            limitRequestFields: 200
            limitRequestFieldSize: 16380
            forwardedAllowIps: "10.0.0.0/8"
            logLevel: warning
            accessLog: false
            extraArgs: ["--log-syslog", "--worker-tmp-dir=/dev/shm"]
          probes:
            path: /healthz
            readiness: {path: /ready, initialDelaySeconds: 2, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 3}
            liveness: {enabled: true, path: /live, successThreshold: 1, failureThreshold: 6}
            startup: {periodSeconds: 2, failureThreshold: 90}
          service:
            type: LoadBalancer
            port: 443
            annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
          disruptionBudget: {enabled: true, maxUnavailable: 25%}
          autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 60, metric: cpu, targetBusyPercent: 70}
          metrics: {enabled: true, port: 9100, podMonitor: false, scrapeAnnotations: true}
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
            progressDeadlineSeconds: 300
          nodeSelector: {kubernetes.io/arch: amd64}
          tolerations:
            - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 100
                  podAffinityTerm:
                    topologyKey: kubernetes.io/hostname
                    labelSelector: {matchLabels: {app.kubernetes.io/name: shop-web}}
          topologySpreadConstraints:
            - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
          serviceAccountName: shop-web
          imagePullSecrets: [{name: registry}]
          priorityClassName: high
          securityContext:
            pod: {runAsUser: 1000, fsGroup: 1000}
            container: {readOnlyRootFilesystem: false}
        """);

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().get("spec")).isEqualTo(appServer.get("spec")); // everything was set
  }

  @Test
  void acceptsTheBlueGreenStrategyAndUvicornWorkers() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("strategy").put("type", "BlueGreen");
    spec(appServer).putObject("workers").put("workerClass", "uvicorn");

    assertThat(ADMISSION.admit(appServer).errors()).isEmpty();
  }

  @Test
  void busyWorkersAutoscalingNeedsNoCpuRequestAndMetricsDefaultOn() {
    ObjectNode appServer = minimal();
    spec(appServer).putObject("autoscaling").put("enabled", true).put("maxReplicas", 6).put("metric", "busyWorkers");

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/autoscaling/targetBusyPercent").asInt()).isEqualTo(70);
    assertThat(result.defaulted().at("/spec/metrics").toString())
        .isEqualTo("{\"enabled\":true,\"podMonitor\":true,\"port\":9464,\"scrapeAnnotations\":true}");
  }

  @Test
  void acceptsAnAppServerSerializedFromTheApiClasses() {
    AppServer appServer = new AppServer();
    appServer.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("default").build());
    AppServerSpec spec = new AppServerSpec();
    spec.setImage("web:1");
    spec.setApp("app:app");
    spec.setResources(new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("250m"))
        .addToLimits("cpu", new Quantity("1"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build());
    appServer.setSpec(spec);
    appServer.setStatus(appServer.getStatus()); // the initial status: not validated

    Admission.Result result = ADMISSION.admit(JSON.valueToTree(appServer));

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/workers/max").asInt()).isEqualTo(8);
    assertThat(result.defaulted().has("status")).isTrue();
  }

  @Test
  void leavesStatusAlone() {
    ObjectNode appServer = minimal();
    appServer.putObject("status").put("phase", 7).put("whatever", true);

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().get("status")).isEqualTo(appServer.get("status"));
  }

  @Test
  void checksMetadataNameLoosely() {
    ObjectNode noName = minimal();
    ((ObjectNode) noName.get("metadata")).remove("name");
    assertThat(ADMISSION.admit(noName).errors()).extracting(FieldError::toString)
        .containsExactly("metadata.name: Required value: name or generateName is required");

    ((ObjectNode) noName.get("metadata")).put("generateName", "web-");
    assertThat(ADMISSION.admit(noName).errors()).isEmpty();

    ObjectNode badName = minimal();
    ((ObjectNode) badName.get("metadata")).put("name", "Web_1");
    assertThat(ADMISSION.admit(badName).errors()).singleElement().satisfies(e -> {
      assertThat(e.field()).isEqualTo("metadata.name");
      assertThat(e.message()).startsWith("Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of");
    });
  }

  @Test
  void checksKindAndApiVersionWhenPresent() {
    ObjectNode appServer = minimal();
    appServer.put("kind", "Deployment").put("apiVersion", "apps/v1");

    assertThat(ADMISSION.admit(appServer).errors()).extracting(FieldError::toString).containsExactly(
        "kind: Invalid value: \"Deployment\": must be AppServer",
        "apiVersion: Invalid value: \"apps/v1\": must be appserver.dev/v1alpha1");
  }

  @Test
  void explicitNullsAreDroppedOrDefaulted() {
    ObjectNode appServer = minimal();
    spec(appServer).putNull("port").putNull("workers").putNull("serviceAccountName");

    Admission.Result result = ADMISSION.admit(appServer);

    assertThat(result.errors()).isEmpty();
    assertThat(result.defaulted().at("/spec/port").asInt()).isEqualTo(8000);
    assertThat(result.defaulted().at("/spec/workers/workerClass").asText()).isEqualTo("sync");
    assertThat(result.defaulted().get("spec").has("serviceAccountName")).isFalse();
  }

  // -----------------------------------------------------------------------------------------------

  private static ObjectNode minimal() {
    ObjectNode appServer = JSON.createObjectNode()
        .put("apiVersion", "appserver.dev/v1alpha1")
        .put("kind", "AppServer");
    appServer.putObject("metadata").put("name", "web").put("namespace", "default");
    appServer.putObject("spec")
        .put("image", "registry.example.com/shop/web:1.4.2")
        .put("app", "shop.wsgi:application");
    return appServer;
  }

  private static ObjectNode spec(ObjectNode appServer) {
    return (ObjectNode) appServer.get("spec");
  }
}
