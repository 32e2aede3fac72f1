package dev.appserver.operator;

import dev.appserver.operator.admission.Admission;
import dev.appserver.operator.reconciler.AppServerReconciler;
import dev.appserver.operator.reconciler.KubernetesEventRecorder;
import dev.appserver.operator.reconciler.ServiceProxyPromotionCheck;
import dev.appserver.operator.validation.AppServerValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.net.InetAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the operator against the cluster of the current kubeconfig (or the in-cluster account). */
public final class OperatorMain {
  private static final Logger log = LoggerFactory.getLogger(OperatorMain.class);

  private OperatorMain() {}

  public static void run(String[] args) throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = new Operator(o -> o.withKubernetesClient(client).withStopOnInformerErrorDuringStartup(true));
    operator.register(reconciler(client, Clock.systemUTC()));
    Runtime.getRuntime().addShutdownHook(new Thread(operator::stop, "shutdown"));
    operator.start();
    log.info("AppServer operator started against {}", client.getMasterUrl());
  }

  public static AppServerReconciler reconciler(KubernetesClient client, Clock clock) throws Exception {
    var validator = new AppServerValidator(Admission.fromClasspath());
    String instance = System.getenv().getOrDefault("POD_NAME", InetAddress.getLocalHost().getHostName());
    return new AppServerReconciler(validator, new KubernetesEventRecorder(client, clock, instance),
        new ServiceProxyPromotionCheck(client), clock);
  }
}
