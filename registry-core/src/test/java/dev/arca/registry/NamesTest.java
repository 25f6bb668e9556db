package dev.arca.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "A", "0", "model", "a:b", "a.b", "a_b", "a-b", "a..b", "resnet50:v2-final"})
  void validNames_areAccepted(String name) {
    assertThat(Names.requireName(name)).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "../x", "..", ".", "a/b", "/a", "a\\b", "a b", " a", "a@b", "a#b", "a%3Ab", "-a",
      ".a", "_a", ":a", "ü", "a\u0000", "a\n", "a*", "a?", "a[1]"})
  void invalidNames_areRejectedNamingTheRule(String name) {
    assertThatThrownBy(() -> Names.requireName(name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a name is 1 to 200 characters");
  }

  @Test
  void names_ofTwoHundredCharacters_areTheLimit() {
    assertThat(Names.isValidName("a".repeat(200))).isTrue();
    assertThat(Names.isValidName("a".repeat(201))).isFalse();
  }

  @Test
  void encoding_isInjectiveAndReversible_overGeneratedStrings() {
    Random random = new Random(11);
    Map<String, String> seen = new HashMap<>();
    String alphabet = "aZ09._:-%/ @#~ü\u0000";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = 1 + random.nextInt(8);
      for (int j = 0; j < length; j++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String original = s.toString();
      String encoded = Names.encode(original);
      assertThat(encoded).matches("[A-Za-z0-9._%-]+");
      assertThat(Names.decode(encoded)).isEqualTo(original);
      String previous = seen.put(encoded, original);
      assertThat(previous == null || previous.equals(original)).as(original + " vs " + previous).isTrue();
    }
    assertThat(Names.encode("a:b")).isEqualTo("a%3Ab");
    assertThat(Names.isValidName(Names.encode("a:b"))).as("an encoded name is never itself a name").isFalse();
  }

  @Test
  void paths_cannotEscape() {
    for (String bad : new String[] {"", "/abs", "../x", "a/../../x", "a/./b", "a//b", "a/", "a\\b", "a\u0001"}) {
      assertThatThrownBy(() -> Names.requirePath(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("invalid file path");
    }
    assertThat(Names.requirePath("sub/dir/file name ü.txt")).isNotNull();
    assertThat(Names.encodePath("sub/a b")).isEqualTo("sub/a%20b");
  }

  @Test
  void tags_followTheirGrammar() {
    assertThat(Names.requireTag("prod")).isEqualTo("prod");
    for (String bad : new String[] {"latest", "1prod", "", "a:b", "a/b", "x".repeat(65)}) {
      assertThatThrownBy(() -> Names.requireTag(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a tag is");
    }
  }
}
