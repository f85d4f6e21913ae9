package dev.dike.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code ```java} block of the README and of docs/getting-started.md compiles, as written,
 * against this module's test class path (dike, Spring Boot, WebFlux, Spring MVC, Reactor): a
 * snippet that forgets an import, uses a type it does not declare, or drifts from the API fails the
 * build. Each block is one compilation unit on its own, so it must declare everything it uses.
 */
class DocumentationSnippetsTest {

    private static final Path ROOT = Path.of("..");
    private static final List<String> PAGES = List.of("README.md", "docs/getting-started.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
    private static final Pattern PUBLIC_TYPE = Pattern.compile("(?m)^public (?:final |abstract )?(?:class|interface|record|enum) (\\w+)");

    @TempDir
    Path output;

    @TestFactory
    Stream<DynamicTest> everyJavaSnippetCompiles() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String page : PAGES) {
            List<String> blocks = javaBlocks(Files.readString(ROOT.resolve(page), StandardCharsets.UTF_8));
            assertThat(blocks).as("java blocks of %s", page).isNotEmpty();
            for (int i = 0; i < blocks.size(); i++) {
                String block = blocks.get(i);
                String name = page + " java block " + (i + 1);
                tests.add(DynamicTest.dynamicTest(name, () -> assertThat(compile(block, name)).as(name).isEmpty()));
            }
        }
        return tests.stream();
    }

    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = JAVA_BLOCK.matcher(markdown);
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }

    /** @return the compiler's errors, each with its line and the line's text */
    private List<String> compile(String source, String name) throws IOException {
        Matcher packageName = PACKAGE.matcher(source);
        assertThat(packageName.find()).as("%s declares its package, so that it is a complete file", name).isTrue();
        Matcher publicType = PUBLIC_TYPE.matcher(source);
        String fileName = (publicType.find() ? publicType.group(1) : "Snippet") + ".java";
        Path directory = Files.createDirectories(output.resolve(name.replaceAll("\\W", "_")));
        Path file = Files.writeString(directory.resolve(fileName), source, StandardCharsets.UTF_8);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            // Surefire's class path is a jar whose manifest lists the real one; javac follows it.
            List<String> options = List.of("--release", "17", "-proc:none", "-classpath",
                    System.getProperty("java.class.path"), "-d", directory.toString());
            compiler.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file.toFile())).call();
        }
        String[] lines = source.split("\n");
        return diagnostics.getDiagnostics().stream().filter(diagnostic -> diagnostic.getKind() == Diagnostic.Kind.ERROR)
                .map(diagnostic -> "line " + diagnostic.getLineNumber() + ": " + diagnostic.getMessage(Locale.ROOT)
                        + (diagnostic.getLineNumber() > 0 ? "\n    " + lines[(int) diagnostic.getLineNumber() - 1].strip() : ""))
                .toList();
    }
}
