package dev.arca.registry.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JsonTest {

  /**
   * The stored documents' mapper is configured once, here: no code outside can reach it to switch on polymorphic
   * typing (which would let stored bytes name a class to instantiate) or change how every registry reads.
   */
  @Test
  void theMapperOfStoredDocuments_isReachableByNoField_andNoMethod() {
    assertThat(Arrays.stream(Json.class.getDeclaredFields()).filter(f -> !Modifier.isPrivate(f.getModifiers())))
        .extracting(Field::getName).isEmpty();
    assertThat(Arrays.stream(Json.class.getDeclaredMethods()).filter(m -> !Modifier.isPrivate(m.getModifiers()))
        .filter(m -> ObjectMapper.class.isAssignableFrom(m.getReturnType()))).extracting(Method::getName).isEmpty();
  }
}
