package io.omelet.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"churn", "churn-v2", "Churn_Model.1", "a b", "модель", "x..y", ".hidden"})
  void goodModelNames(String name) {
    assertEquals(name, Names.requireModelName(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", "a/b", "../x", "a\\b", "c:", "a\u0000b", "a\nb", "a\u2028b", "", "  ",
      "m@champion"})
  void badModelNames(String name) {
    RegistryException e = assertThrows(RegistryException.class, () -> Names.requireModelName(name));
    assertTrue(e.getMessage().startsWith("model name"), e.getMessage());
    // the message shows control characters escaped, never raw
    assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), e.getMessage());
  }

  @Test
  void namesHaveALengthBound() {
    String longName = "m".repeat(Names.MAX_NAME_LENGTH + 1);
    RegistryException e = assertThrows(RegistryException.class, () -> Names.requireModelName(longName));
    assertTrue(e.getMessage().contains("the limit is " + Names.MAX_NAME_LENGTH), e.getMessage());
    assertEquals("m".repeat(Names.MAX_NAME_LENGTH), Names.requireModelName("m".repeat(Names.MAX_NAME_LENGTH)));
    assertThrows(RegistryException.class,
        () -> Names.requireRelativePath("d/".repeat(Names.MAX_PATH_LENGTH / 2 + 1), "artifact path"));
  }

  @Test
  void displayNamesMayHoldSlashesButNoControlCharacters() {
    assertEquals("/Users/ana/churn", Names.requireDisplayName("/Users/ana/churn", "experiment name"));
    assertEquals("..", Names.requireDisplayName("..", "run name")); // never a path
    RegistryException e = assertThrows(RegistryException.class,
        () -> Names.requireDisplayName("churn\r\nX-Injected: 1", "experiment name"));
    assertTrue(e.getMessage().contains("control character at position 5"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"model/model.zip", "report.html", "plots/shap/summary.svg", "model/", "x..y/z"})
  void goodRelativePaths(String path) {
    String p = Names.requireRelativePath(path, "artifact path");
    assertFalse(p.endsWith("/"));
    assertTrue(path.startsWith(p));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "a/../../b", "a/./b", "a//b", "/etc/passwd", "\\\\server\\share", "C:/x",
      "a/b\u0007", "./.."})
  void badRelativePaths(String path) {
    RegistryException e = assertThrows(RegistryException.class, () -> Names.requireRelativePath(path, "artifact path"));
    assertTrue(e.getMessage().startsWith("artifact path"), e.getMessage());
  }

  @Test
  void theTopOfAFolderIsTheEmptyPath() {
    assertEquals("", Names.requireRelativePath(null, "artifact path"));
    assertEquals("", Names.requireRelativePath("", "artifact path"));
    assertEquals("", Names.requireRelativePath(".", "artifact path"));
  }

  @Test
  void confinementComparesNormalizedPathsOnOneFileSystem() {
    Path base = new Path("file:/tmp/reg/artifacts/abc");
    Names.requireUnder(base, new Path(base, "model/model.zip"), "artifact path");
    Names.requireUnder(base, base, "artifact path");
    assertThrows(RegistryException.class, () -> Names.requireUnder(base, new Path("file:/tmp/reg/artifacts/abc/../x"),
        "artifact path"));
    assertThrows(RegistryException.class, () -> Names.requireUnder(base, new Path("file:/tmp/reg/artifacts/abcd"),
        "artifact path"));
    assertThrows(RegistryException.class, () -> Names.requireUnder(base, new Path("hdfs://nn/tmp/reg/artifacts/abc/x"),
        "artifact path"));
    assertTrue(Names.strictlyUnder(new Path("file:/r/models"), new Path("file:/r/models/churn")));
    assertFalse(Names.strictlyUnder(new Path("file:/r/models"), new Path("file:/r/models/..")));
    assertFalse(Names.strictlyUnder(new Path("file:/r/models"), new Path("file:/r/models/.")));
  }

  @Test
  void aliasesAreCheckedHereToo() {
    assertEquals("champion", Names.requireAlias("champion"));
    assertThrows(RegistryException.class, () -> Names.requireAlias("v3"));
    assertThrows(RegistryException.class, () -> Names.requireAlias("../x"));
    assertThrows(RegistryException.class, () -> Names.requireAlias(null));
  }
}
