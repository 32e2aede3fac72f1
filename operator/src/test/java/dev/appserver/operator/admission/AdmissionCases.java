package dev.appserver.operator.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.appserver.operator.api.v1alpha1.AppServer;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The admission cases, good and bad, as AppServers: {@link AdmissionTest} checks our evaluation of
 * each against hand-written expectations, and the end-to-end cross-check sends every one to the real
 * kube-apiserver and fails on any difference in outcome or message.
 */
public final class AdmissionCases {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private AdmissionCases() {}

  /** A named AppServer to admit. */
  public record Example(String name, ObjectNode appServer) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** A minimal AppServer changed in one way that must be refused with one error on {@code field}. */
  public record Bad(String name, Consumer<ObjectNode> change, String field, String message) {
    public ObjectNode appServer() {
      ObjectNode appServer = minimal();
      change.accept(spec(appServer));
      return appServer;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Each refused with one error naming the field. */
  public static final List<Bad> BAD = List.of(

        new Bad("missing image", s -> s.remove("image"),
            "spec.image", "Required value"),
        new Bad("app without a callable", s -> s.put("app", "app"),
            "spec.app", "Invalid value: \"app\": spec.app in body should match '^[A-Za-z_]"),
        new Bad("port out of range", s -> s.put("port", 70000),
            "spec.port", "Invalid value: 70000: spec.port in body should be less than or equal to 65535"),
        new Bad("threads with the sync worker", s -> s.putObject("workers").put("threads", 4).put("workerClass", "sync"),
            "spec.workers.threads", "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread"),
        new Bad("threads without a worker class", s -> s.putObject("workers").put("threads", 4),
            "spec.workers.threads", "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread"),
        new Bad("threads with gevent under profile io", s -> s.putObject("workers").put("profile", "io").put("workerClass", "gevent").put("threads", 4),
            "spec.workers.threads", "spec.workers.threads greater than 1 needs spec.workers.workerClass gthread"),
        new Bad("threads 1 with profile io", s -> s.putObject("workers").put("profile", "io").put("threads", 1),
            "spec.workers.threads", "spec.workers.threads 1 with spec.workers.profile io serves one request per process"),
        new Bad("sync with profile io", s -> s.putObject("workers").put("profile", "io").put("workerClass", "sync"),
            "spec.workers.workerClass", "spec.workers.workerClass sync serves one request per process"),
        new Bad("concurrency with profile cpu", s -> s.putObject("workers").put("concurrency", 100),
            "spec.workers.concurrency", "spec.workers.concurrency needs spec.workers.profile io"),
        new Bad("concurrency with explicit profile cpu and gthread", s -> s.putObject("workers").put("profile", "cpu").put("workerClass", "gthread").put("concurrency", 100),
            "spec.workers.concurrency", "spec.workers.concurrency needs spec.workers.profile io"),
        new Bad("concurrency and threads", s -> s.putObject("workers").put("profile", "io").put("threads", 8).put("concurrency", 100),
            "spec.workers.concurrency", "spec.workers.concurrency and spec.workers.threads both set the threads per process"),
        new Bad("concurrency with uvicorn", s -> s.putObject("workers").put("profile", "io").put("workerClass", "uvicorn").put("concurrency", 100),
            "spec.workers.concurrency", "spec.workers.concurrency cannot be applied to workerClass uvicorn"),
        new Bad("concurrency 0", s -> s.putObject("workers").put("profile", "io").put("concurrency", 0),
            "spec.workers.concurrency", "Invalid value: 0: spec.workers.concurrency in body should be greater than or equal to 1"),
        new Bad("concurrency above 1024", s -> s.putObject("workers").put("profile", "io").put("concurrency", 1025),
            "spec.workers.concurrency", "Invalid value: 1025: spec.workers.concurrency in body should be less than or equal to 1024"),
        new Bad("unknown profile", s -> s.putObject("workers").put("profile", "web"),
            "spec.workers.profile", "Unsupported value: \"web\": supported values: \"cpu\", \"io\""),
        new Bad("WEB_CONCURRENCY in env", s -> s.putArray("env").addObject().put("name", "WEB_CONCURRENCY").put("value", "4"),
            "spec.env", "spec.env must not set WEB_CONCURRENCY"),
        new Bad("jitter not below maxRequests", s -> s.putObject("gunicorn").put("maxRequests", 100).put("maxRequestsJitter", 100),
            "spec.gunicorn.maxRequestsJitter", "must be smaller than spec.gunicorn.maxRequests"),
        new Bad("extraArgs sets --workers", s -> s.putObject("gunicorn").putArray("extraArgs").add("--workers").add("3"),
            "spec.gunicorn.extraArgs", "must not set --config, --bind, --workers"),
        new Bad("extraArgs sets --bind=", s -> s.putObject("gunicorn").putArray("extraArgs").add("--bind=0.0.0.0:80"),
            "spec.gunicorn.extraArgs", "must not set --config, --bind, --workers"),
        new Bad("GUNICORN_CMD_ARGS in env", s -> s.putArray("env").addObject().put("name", "GUNICORN_CMD_ARGS").put("value", "-w 3"),
            "spec.env", "spec.env must not set GUNICORN_CMD_ARGS"),
        new Bad("autoscaling without maxReplicas", s -> {
              s.putObject("autoscaling").put("enabled", true);
              s.putObject("resources").putObject("requests").put("cpu", "500m");
            },
            "spec.autoscaling.maxReplicas", "spec.autoscaling.maxReplicas is required when spec.autoscaling.enabled is true"),
        new Bad("autoscaling without a CPU request", s -> s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5),
            "spec.autoscaling", "spec.autoscaling needs a CPU request"),
        new Bad("autoscaling with only a memory request", s -> {
              s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5);
              s.putObject("resources").putObject("requests").put("memory", "256Mi");
            },
            "spec.autoscaling", "spec.autoscaling needs a CPU request"),
        new Bad("busyWorkers autoscaling with metrics off", s -> {
              s.putObject("autoscaling").put("enabled", true).put("maxReplicas", 5).put("metric", "busyWorkers");
              s.putObject("metrics").put("enabled", false);
            },
            "spec.autoscaling.metric", "spec.autoscaling.metric busyWorkers reads the pods' Gunicorn metrics: it needs spec.metrics.enabled"),
        new Bad("metrics on the application's port", s -> {
              s.put("port", 9000);
              s.putObject("metrics").put("port", 9000);
            },
            "spec.metrics.port", "spec.metrics.port must differ from spec.port"),
        new Bad("metrics on the default application port", s -> s.putObject("metrics").put("port", 8000),
            "spec.metrics.port", "spec.metrics.port must differ from spec.port"),
        new Bad("unknown autoscaling metric", s -> s.putObject("autoscaling").put("metric", "memory"),
            "spec.autoscaling.metric", "Unsupported value: \"memory\": supported values: \"busyWorkers\", \"cpu\""),
        new Bad("unknown autoscaling engine", s -> s.putObject("autoscaling").put("engine", "argo"),
            "spec.autoscaling.engine", "Unsupported value: \"argo\": supported values: \"hpa\", \"keda\""),
        new Bad("negative scale-down stabilization", s -> s.putObject("autoscaling").put("scaleDownStabilizationSeconds", -1),
            "spec.autoscaling.scaleDownStabilizationSeconds",
            "Invalid value: -1: spec.autoscaling.scaleDownStabilizationSeconds in body should be greater than or equal to 0"),
        new Bad("minReplicas above maxReplicas", s -> s.putObject("autoscaling").put("minReplicas", 5).put("maxReplicas", 3),
            "spec.autoscaling.minReplicas", "spec.autoscaling.minReplicas must not exceed spec.autoscaling.maxReplicas"),
        new Bad("cpu limit that is no quantity", s -> s.putObject("resources").putObject("limits").put("cpu", "lots"),
            "spec.resources", "spec.resources: cpu and memory must be quantities"),
        new Bad("memory request that is no quantity", s -> s.putObject("resources").putObject("requests").put("memory", "1.5.5Gi"),
            "spec.resources", "spec.resources: cpu and memory must be quantities"),
        new Bad("cpu request above the limit", s -> {
              ObjectNode resources = s.putObject("resources");
              resources.putObject("requests").put("cpu", 2);
              resources.putObject("limits").put("cpu", "1");
            },
            "spec.resources", "spec.resources.requests must not exceed spec.resources.limits"),
        new Bad("memory request above the limit", s -> {
              ObjectNode resources = s.putObject("resources");
              resources.putObject("requests").put("memory", "1Gi");
              resources.putObject("limits").put("memory", "1G");
            },
            "spec.resources", "spec.resources.requests must not exceed spec.resources.limits"),
        new Bad("zero memoryPerWorker", s -> s.putObject("workers").put("memoryPerWorker", "0"),
            "spec.workers.memoryPerWorker", "spec.workers.memoryPerWorker must be a positive quantity"),
        new Bad("memoryPerWorker that is no quantity", s -> s.putObject("workers").put("memoryPerWorker", "lots"),
            "spec.workers.memoryPerWorker", "spec.workers.memoryPerWorker must be a positive quantity"),
        new Bad("minAvailable and maxUnavailable", s -> s.putObject("disruptionBudget").put("minAvailable", 1).put("maxUnavailable", "50%"),
            "spec.disruptionBudget", "set either minAvailable or maxUnavailable, not both"),
        new Bad("misspelt field", s -> s.putObject("workrs").put("max", 3),
            "spec.workrs", "unknown field"),
        new Bad("unknown worker class", s -> s.putObject("workers").put("workerClass", "fast"),
            "spec.workers.workerClass", "Unsupported value: \"fast\": supported values: \"gevent\", \"gthread\", \"sync\", \"uvicorn\""),
        new Bad("liveness successThreshold 2", s -> s.putObject("probes").putObject("liveness").put("successThreshold", 2),
            "spec.probes.liveness.successThreshold", "spec.probes.liveness.successThreshold must be 1"),
        new Bad("startup successThreshold 3", s -> s.putObject("probes").putObject("startup").put("successThreshold", 3),
            "spec.probes.startup.successThreshold", "spec.probes.startup.successThreshold must be 1"),
        new Bad("probe path without a slash", s -> s.putObject("probes").putObject("readiness").put("path", "health"),
            "spec.probes.readiness.path", "Invalid value: \"health\": spec.probes.readiness.path in body should match '^/.*'"),
        new Bad("rollingUpdate with BlueGreen", s -> s.putObject("strategy").put("type", "BlueGreen").putObject("rollingUpdate").put("maxSurge", 1),
            "spec.strategy.rollingUpdate", "spec.strategy.rollingUpdate applies only to spec.strategy.type RollingUpdate"),
        new Bad("negative replicas", s -> s.put("replicas", -1),
            "spec.replicas", "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
        new Bad("port as a string", s -> s.put("port", "8000"),
            "spec.port", "Invalid value: \"string\": spec.port in body must be of type integer: \"string\""),
        new Bad("empty image", s -> s.put("image", ""),
            "spec.image", "Invalid value: \"\": spec.image in body should be at least 1 chars long"),
        new Bad("too many extraArgs", s -> {
              var args = s.putObject("gunicorn").putArray("extraArgs");
              for (int i = 0; i < 129; i++) {
                args.add("--log-syslog");
              }
            },
            "spec.gunicorn.extraArgs", "Too many: 129: must have at most 128 items"));

  /** Refused with several errors, or on metadata. */
  public static List<Example> moreBad() {
    return List.of(
        example("a blocking error skips the rules", a -> spec(a).putObject("workers").put("workerClass", "fast").put("threads", 4)),
        example("other errors still run the rules", a -> spec(a).put("app", "app").putObject("workers").put("threads", 4)),
        example("every error is reported", a -> {
          spec(a).remove("image");
          spec(a).put("port", 0);
        }),
        example("unknown fields", a -> spec(a).put("replics", 3).putObject("workrs").put("max", 3)),
        example("unknown fields beside other errors", a -> {
          spec(a).remove("image");
          spec(a).put("port", 0).put("replics", 3);
        }),
        example("no name", a -> ((ObjectNode) a.get("metadata")).remove("name")),
        example("an env entry without a name", a -> spec(a).putArray("env").addObject().put("value", "1")),
        example("a toleration with an unknown operator and a pattern error", a -> {
          spec(a).putArray("tolerations").addObject().put("key", "k").put("operator", "Sometimes");
          spec(a).putObject("probes").put("path", "health");
        }),
        example("replicas above the 32-bit range", a -> spec(a).put("replicas", 3_000_000_000L)),
        example("a name that is no DNS subdomain", a -> ((ObjectNode) a.get("metadata")).put("name", "Web_1")));
  }

  /** Admitted. */
  public static List<Example> good() {
    return List.of(
        new Example("minimal", minimal()),
        example("set fields are kept", a -> {
          spec(a).putObject("workers").put("workerClass", "gthread").put("threads", 4);
          spec(a).put("port", 9000);
        }),
        new Example("fully specified", fullySpecified()),
        example("blue-green with uvicorn workers", a -> {
          spec(a).putObject("strategy").put("type", "BlueGreen");
          spec(a).putObject("workers").put("workerClass", "uvicorn");
        }),
        new Example("serialized from the api classes", fromApiClasses()),
        example("explicit nulls", a -> spec(a).putNull("port").putNull("workers").putNull("serviceAccountName")),
        example("generateName instead of a name", a -> {
          ((ObjectNode) a.get("metadata")).remove("name");
          ((ObjectNode) a.get("metadata")).put("generateName", "web-");
        }),
        example("blue-green with every option", a -> spec(a).putObject("strategy").put("type", "BlueGreen")
            .put("progressDeadlineSeconds", 120).putObject("blueGreen").put("autoPromote", false).put("scaleDownDelaySeconds", 0)
            .putObject("prePromotionCheck").put("path", "/ready").put("timeoutSeconds", 10)),
        example("busyWorkers autoscaling without a CPU request", a -> spec(a).putObject("autoscaling")
            .put("enabled", true).put("maxReplicas", 6).put("metric", "busyWorkers").put("targetBusyPercent", 60)),
        example("KEDA on busyWorkers", a -> spec(a).putObject("autoscaling")
            .put("enabled", true).put("engine", "keda").put("maxReplicas", 6).put("metric", "busyWorkers")
            .put("scaleDownStabilizationSeconds", 0)),
        example("metrics off", a -> spec(a).putObject("metrics").put("enabled", false).put("scrapeAnnotations", false)),
        workers("profile io alone", "{profile: io}"),
        workers("profile io with concurrency", "{profile: io, concurrency: 100}"),
        workers("profile io with count and concurrency", "{profile: io, count: 4, concurrency: 1024}"),
        workers("profile io with threads", "{profile: io, threads: 8}"),
        workers("profile io with explicit gthread and threads", "{profile: io, workerClass: gthread, threads: 8}"),
        workers("profile io with gevent and concurrency", "{profile: io, workerClass: gevent, concurrency: 500}"),
        workers("profile io with uvicorn", "{profile: io, workerClass: uvicorn}"),
        workers("profile cpu with gthread and threads", "{profile: cpu, workerClass: gthread, threads: 4}"),
        workers("threads 1 with profile cpu", "{threads: 1}"),
        workers("concurrency 1", "{profile: io, concurrency: 1}"),
        example("quantities in every notation", a -> {
          ObjectNode resources = spec(a).putObject("resources");
          resources.putObject("requests").put("cpu", "0.5").put("memory", "512M");
          resources.putObject("limits").put("cpu", 2).put("memory", "1e9");
          spec(a).putObject("workers").put("memoryPerWorker", "128Mi");
        }));
  }

  public static ObjectNode minimal() {
    ObjectNode appServer = JSON.createObjectNode()
        .put("apiVersion", "appserver.dev/v1alpha1")
        .put("kind", "AppServer");
    appServer.putObject("metadata").put("name", "web").put("namespace", "default");
    appServer.putObject("spec")
        .put("image", "registry.example.com/shop/web:1.4.2")
        .put("app", "shop.wsgi:application");
    return appServer;
  }

  public static ObjectNode spec(ObjectNode appServer) {
    return (ObjectNode) appServer.get("spec");
  }

  private static Example workers(String name, String workersYaml) {
    try {
      var workers = YAML.readTree(workersYaml);
      return example(name, a -> spec(a).set("workers", workers));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Example example(String name, Consumer<ObjectNode> change) {
    ObjectNode appServer = minimal();
    change.accept(appServer);
    return new Example(name, appServer);
  }

  static ObjectNode fullySpecified() {
    try {
      return (ObjectNode) YAML.readTree("""
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
          rollOnEnvSourceChange: true
          podLabels: {tier: web}
          podAnnotations: {prometheus.io/scrape: "true"}
          workers: {profile: cpu, count: 4, max: 16, memoryPerWorker: 128Mi, workerClass: gthread, threads: 8}
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
          autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 60, metric: cpu, targetBusyPercent: 70,
                        engine: hpa, scaleDownStabilizationSeconds: 120}
          metrics: {enabled: true, port: 9100, scrapeAnnotations: true, podMonitor: true}
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode fromApiClasses() {
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
    return JSON.valueToTree(appServer);
  }

  /** Every case. */
  public static Stream<Example> all() {
    return Stream.of(good().stream(), BAD.stream().map(b -> new Example(b.name(), b.appServer())), moreBad().stream())
        .flatMap(s -> s);
  }
}
