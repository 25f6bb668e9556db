package dev.arca.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ObjectKeyTest {

  @Test
  void parse_readsEveryForm() {
    assertThat(ObjectKey.parse("m")).isEqualTo(new ObjectKey("m", null, null));
    assertThat(ObjectKey.parse("m@1.0.2")).isEqualTo(new ObjectKey("m", "1.0.2", null));
    assertThat(ObjectKey.parse("m@latest").isLatest()).isTrue();
    assertThat(ObjectKey.parse("m#prod")).isEqualTo(new ObjectKey("m", null, "prod"));
    assertThat(ObjectKey.parse("a:b@2")).hasToString("a:b@2");
  }

  @Test
  void parse_refusesMalformedKeys() {
    for (String bad : new String[] {"m@", "m@1#prod", "m#", "#prod", "@1", "m#lat est", "mount/m"}) {
      assertThatThrownBy(() -> ObjectKey.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
