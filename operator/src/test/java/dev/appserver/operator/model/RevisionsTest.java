package dev.appserver.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appserver.operator.TestAppServers;
import dev.appserver.operator.api.v1alpha1.AppServerSpec;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model maps JSON without the client, yet a revision is a hash of that JSON: were the two
 * mappings to differ, every running AppServer would roll on upgrade. These pin them equal.
 */
class RevisionsTest {
  private static final KubernetesSerialization CLIENT = new KubernetesSerialization();

  private static final List<AppServerModel> RICH = List.of(
      TestAppServers.minimal(),
      TestAppServers.model("""
          image: example/app:1
          app: app:app
          resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1.5", memory: 1Gi}}
          workers: {profile: io, concurrency: 100}
          env: [{name: A, value: "1"}, {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}}]
          envFrom: [{configMapRef: {name: shop-env}}]
          securityContext:
            pod: {runAsUser: 10001, fsGroup: 10001}
            container: {readOnlyRootFilesystem: false}
          nodeSelector: {pool: web}
          tolerations: [{key: dedicated, operator: Equal, value: web, effect: NoSchedule, tolerationSeconds: 30}]
          affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: zone, operator: In, values: [a, b]}]}]}}}
          topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}]
          podAnnotations: {a: b}
          podLabels: {team: shop}
          strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: "10%"}}
          gunicorn: {extraArgs: ["--log-level", "debug"]}
          """));

  @Test
  void podTemplateJsonIsTheClientsJson() {
    for (AppServerModel m : RICH) {
      var template = PodTemplates.podTemplate(m, Names.podSelector(m.name()), Names.configMap(m.name()));
      assertThat(KubernetesJson.MAPPER.convertValue(template, ObjectNode.class))
          .isEqualTo(CLIENT.convertValue(template, ObjectNode.class));
    }
  }

  @Test
  void snapshotsReadBackAsTheClientReadsThem() {
    for (AppServerModel m : RICH) {
      String snapshot = Revisions.snapshot(m.spec());
      assertThat(KubernetesJson.MAPPER.convertValue(m.spec(), ObjectNode.class))
          .isEqualTo(CLIENT.convertValue(m.spec(), ObjectNode.class));
      // AppServerSpec has no equals: compare what each reading holds.
      assertThat(Revisions.fromSnapshot(snapshot).map(s -> CLIENT.convertValue(s, ObjectNode.class)))
          .contains(CLIENT.convertValue(CLIENT.unmarshal(snapshot, AppServerSpec.class), ObjectNode.class));
    }
  }

  @Test
  void securityOverridesMergeAsTheClientMergesThem() {
    var m = RICH.get(1);
    PodSecurityContext merged = PodTemplates.podSecurityContext(m.spec().getSecurityContext());
    ObjectNode expected = CLIENT.convertValue(new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
        .withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build(), ObjectNode.class);
    expected.setAll(CLIENT.convertValue(m.spec().getSecurityContext().getPod(), ObjectNode.class));
    assertThat(merged).isEqualTo(CLIENT.convertValue(expected, PodSecurityContext.class));
  }

  @Test
  void theModelHoldsTheRevisionOfItsPodTemplateWhichReplicasLeaveAlone() {
    var m = TestAppServers.minimal();
    assertThat(m.revision()).isNotBlank().isEqualTo(Revisions.revision(m));
    var moreReplicas = TestAppServers.model("image: example/app:1\napp: app:app\nreplicas: 7\n");
    var otherImage = TestAppServers.model("image: example/app:2\napp: app:app\n");
    assertThat(moreReplicas.revision()).isEqualTo(m.revision());
    assertThat(otherImage.revision()).isNotEqualTo(m.revision());
    assertThat(ChildResources.deployment(m, m.name(), java.util.Map.of(), 2).getMetadata().getAnnotations())
        .containsEntry(Names.ANNOTATION_REVISION, m.revision());
  }

  @Test
  void anEnvSourcesDigestIsPartOfTheRevisionAndNoDigestLeavesTheModelAsItWas() {
    var m = TestAppServers.minimal();
    assertThat(m.withEnvSourcesDigest(null)).isSameAs(m);
    var withDigest = m.withEnvSourcesDigest("d1");
    assertThat(withDigest.revision()).isNotEqualTo(m.revision()).isEqualTo(Revisions.revision(withDigest));
    assertThat(withDigest.withEnvSourcesDigest("d1")).isSameAs(withDigest);
    assertThat(withDigest.withEnvSourcesDigest(null).revision()).isEqualTo(m.revision());
  }

  @Test
  void aSnapshotThatIsNotJsonReadsAsNone() {
    assertThat(Revisions.fromSnapshot("{not json")).isEmpty();
    assertThat(Revisions.fromSnapshot("")).isEmpty();
  }
}
