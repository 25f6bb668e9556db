package dev.arca.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class VersionTest {

  @Test
  void parse_padsToTheRegistryDigits_andAcceptsALeadingV() {
    assertThat(Version.parse("1", 3)).hasToString("1.0.0");
    assertThat(Version.parse("v1.2", 3)).hasToString("1.2.0");
    assertThat(Version.parse("0.0.7", 3)).hasToString("0.0.7");
    assertThat(Version.parse("12", 1)).hasToString("12");
    assertThat(Version.parse("1", 3)).isEqualTo(Version.parse("v1.0.0", 3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v", "+3", "-3", "1_000", " 4 ", "4 ", "1. 2", "1..2", "1.", ".1", "01", "1.02",
      "٣", "１", "1.2.3.4", "vv1", "V1", "1e3", "0x10", "1234567890123456789", "latest"})
  void parse_rejectsAnythingOutsideTheGrammar_namingTheRule(String text) {
    assertThatThrownBy(() -> Version.parse(text, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a version is 1 to 3 components");
  }

  @Test
  void ordering_isNumericPerComponent() {
    List<Version> versions = new ArrayList<>();
    for (String v : List.of("1.0.10", "1.0.9", "2.0.0", "1.10.0", "1.2.0", "0.0.1")) {
      versions.add(Version.parse(v, 3));
    }
    Collections.sort(versions);

    assertThat(versions).extracting(Version::toString)
        .containsExactly("0.0.1", "1.0.9", "1.0.10", "1.2.0", "1.10.0", "2.0.0");
  }

  @Test
  void next_bumpsTheLastComponent() {
    assertThat(Version.parse("1.0.9", 3).next()).hasToString("1.0.10");
    assertThat(Version.first(2)).hasToString("1.0");
  }

  @Test
  void parseCanonical_readsStoredVersions_andRefusesOthers() {
    assertThat(Version.parseCanonical("1.0.10")).isEqualTo(Version.of(1, 0, 10));
    assertThatThrownBy(() -> Version.parseCanonical("v1.0.0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Version.parseCanonical("1.00.0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void next_andParse_agreeOnTheLargestComponent() {
    Version below = Version.parse("1.0.999999999999999998", 3);

    assertThat(Version.parseCanonical(below.next().toString())).isEqualTo(below.next());
    assertThat(below.next().component(2)).isEqualTo(999_999_999_999_999_999L);
    assertThatThrownBy(() -> Version.of(1, 0, 999_999_999_999_999_999L + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void next_onTheLargestComponent_failsNamingAnExplicitVersionToSave() {
    Version last = Version.parse("1.0.999999999999999999", 3);

    assertThatThrownBy(last::next).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1.0.999999999999999999").hasMessageContaining("at most 18 digits")
        .hasMessageContaining("name@1.1.0");
    assertThatThrownBy(Version.parse("999999999999999999.999999999999999999", 2)::next)
        .hasMessageContaining("save under another name");
  }
}
