package io.omelet.http;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The mapper behind {@link Request#json()} and {@link Response#json(int, Object)}. */
final class JsonCodec {
  // Python's json module writes NaN and Infinity as bare words (MLflow clients send them as metric values).
  static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build();

  private JsonCodec() {}
}
