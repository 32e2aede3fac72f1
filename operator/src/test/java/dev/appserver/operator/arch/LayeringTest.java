package dev.appserver.operator.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers point one way: api <- model (with model.rollout above it) <- reconciler. The API
 * classes hold no logic of ours, the model is pure (no client, no reconciler, no operations), and
 * no two packages need each other.
 */
class LayeringTest {
  private static final String ROOT = "dev.appserver.operator";
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
  }

  @Test
  void apiDependsOnNoLayerAboveIt() {
    noClasses().that().resideInAPackage(ROOT + ".api..")
        .should().dependOnClassesThat().resideInAnyPackage(
            ROOT, ROOT + ".model..", ROOT + ".reconciler..", ROOT + ".validation..", ROOT + ".admission..",
            ROOT + ".ops..", ROOT + ".advisor..")
        .check(classes);
  }

  @Test
  void modelIsFreeOfTheClientTheReconcilerAndOperations() {
    noClasses().that().resideInAPackage(ROOT + ".model..")
        .should().dependOnClassesThat().resideInAnyPackage(
            ROOT, ROOT + ".reconciler..", ROOT + ".validation..", ROOT + ".admission..", ROOT + ".ops..",
            ROOT + ".advisor..", "io.fabric8.kubernetes.client..", "io.javaoperatorsdk..")
        .check(classes);
  }

  @Test
  void modelNeverReadsTheRolloutPackageAboveIt() {
    noClasses().that().resideInAPackage(ROOT + ".model")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".model.rollout..")
        .check(classes);
  }

  @Test
  void packagesFormNoCycle() {
    slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
  }
}
