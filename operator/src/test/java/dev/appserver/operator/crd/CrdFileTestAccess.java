package dev.appserver.operator.crd;

import java.nio.file.Path;

/** Lets other tests find the repository root the way the CRD test does. */
public final class CrdFileTestAccess {
  private CrdFileTestAccess() {}

  public static Path repoRoot() {
    return CrdFileTest.repoRoot();
  }
}
