package org.offload.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's quick start is this module's QuickStart.java, so the documented code always compiles. */
class QuickStartDocTest {

    @Test
    void readmeQuickStart_sameCodeAsQuickStartJava() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        Matcher block = Pattern.compile("```java\\n(import java\\.util\\.Map;.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "README.md has no quick start block starting with 'import java.util.Map;'");

        String source = Files.readString(Path.of("src/main/java/org/offload/demo/QuickStart.java"));
        String code = source.substring(source.indexOf("import java.util.Map;"))
                .replaceFirst("/\\*\\*[^\\n]*\\*/\\n", "");

        assertEquals(block.group(1), code, "README.md's quick start and QuickStart.java differ");
    }
}
