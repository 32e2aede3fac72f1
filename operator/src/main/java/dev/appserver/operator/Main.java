package dev.appserver.operator;

public final class Main {
  public static void main(String[] args) {}
}
