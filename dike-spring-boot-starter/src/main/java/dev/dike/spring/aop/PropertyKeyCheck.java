package dev.dike.spring.aop;

import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.autoconfigure.DikeProperties;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Finds the keys under {@code dike} in the environment that no setting binds, so that a typo
 * ({@code dike.retry.defaults.atempts}, {@code dike.retyr...}) fails the startup naming the key
 * and the closest valid one, and an instance name with dots written without brackets
 * ({@code dike.retry.instances.FlakyService.fetch.attempts}) is answered with the bracket form.
 *
 * <p>The valid keys are not listed here: they are read from the properties classes, by reflection
 * ({@link DikeProperties} and any other {@code @ConfigurationProperties} bean whose prefix is under
 * {@code dike}: nested objects, maps of named instances, records), and from the configuration
 * metadata of every jar ({@code META-INF/spring-configuration-metadata.json}), so a setting that is
 * added to any of them is known at once. Runs once, on the thread of the startup check.
 */
final class PropertyKeyCheck {

    private static final ConfigurationPropertyName DIKE = ConfigurationPropertyName.of("dike");

    private final Node root = new Node();

    private PropertyKeyCheck() {
    }

    /** @return the check of the keys bound by the properties classes and metadata the application has */
    static PropertyKeyCheck of(ListableBeanFactory beanFactory) {
        PropertyKeyCheck check = new PropertyKeyCheck();
        check.root.addBean(DikeProperties.class);
        for (String name : beanFactory.getBeanNamesForAnnotation(ConfigurationProperties.class)) {
            Class<?> type = beanFactory.getType(name, false);
            ConfigurationProperties annotation = beanFactory.findAnnotationOnBean(name, ConfigurationProperties.class,
                    false);
            if (type != null && annotation != null) {
                check.add(annotation.prefix(), type);
            }
        }
        check.addMetadata();
        return check;
    }

    /** Adds a properties class bound at {@code prefix}, if that is {@code dike} or below it. */
    void add(String prefix, Class<?> type) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(prefix, '.');
        if (name.equals(DIKE) || DIKE.isAncestorOf(name)) {
            root.path(name).addBean(type);
        }
    }

    @SuppressWarnings("unchecked")
    private void addMetadata() {
        try {
            for (Resource resource : new PathMatchingResourcePatternResolver(getClass().getClassLoader())
                    .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
                try (InputStream in = resource.getInputStream()) {
                    Map<String, Object> json = JsonParserFactory.getJsonParser()
                            .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    for (Object property : (List<Object>) json.getOrDefault("properties", List.of())) {
                        Object key = ((Map<String, Object>) property).get("name");
                        if (key instanceof String text && text.startsWith("dike.")) {
                            root.path(ConfigurationPropertyName.adapt(text, '.')).leafUnlessKnown();
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The metadata only adds to what the classes tell; without it, the classes suffice.
        }
    }

    /**
     * Reports each key under {@code dike} in the environment that no setting binds.
     *
     * @param problems receives one exception per unknown key
     */
    void check(Environment environment, Consumer<DikeConfigurationException> problems) {
        Set<ConfigurationPropertyName> names = new LinkedHashSet<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source instanceof IterableConfigurationPropertySource iterable && !benign(source)) {
                iterable.stream().filter(DIKE::isAncestorOf).forEach(names::add);
            }
        }
        for (ConfigurationPropertyName name : names) {
            DikeConfigurationException problem = problem(name);
            if (problem != null) {
                problems.accept(problem);
            }
        }
    }

    /**
     * @return whether the source holds the system properties or the environment variables, which are
     *         not checked (as Spring Boot does not check them for unbound keys): they are shared with
     *         everything else the machine runs, and a DIKE_HOME variable, say, is no typo
     */
    private static boolean benign(ConfigurationPropertySource source) {
        return source.getUnderlyingSource() instanceof PropertySource<?> underlying
                && (underlying.getName().equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                        || underlying.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME));
    }

    /** @return why no setting binds the key, or {@code null} if one does */
    DikeConfigurationException problem(ConfigurationPropertyName name) {
        Node node = root;
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            if (node.leaf) {
                return null; // list indexes and map keys of a setting's value
            }
            if (node.values != null) { // element i names an instance
                if (node.values.binds(name, i + 1)) {
                    return null;
                }
                for (int end = i + 2; end < name.getNumberOfElements(); end++) {
                    if (node.values.binds(name, end)) {
                        return dottedName(name, i, end);
                    }
                }
                node = node.values;
                continue;
            }
            Node child = node.children.get(name.getElement(i, Form.UNIFORM));
            if (child == null) {
                return unknown(name, i, node);
            }
            node = child;
        }
        return null;
    }

    private static DikeConfigurationException dottedName(ConfigurationPropertyName name, int first, int end) {
        String instance = join(name, first, end, ".");
        String bracketed = join(name, 0, first, ".") + "[" + instance + "]"
                + (end < name.getNumberOfElements() ? "." + join(name, end, name.getNumberOfElements(), ".") : "");
        return new DikeConfigurationException("The property " + written(name) + " sets an instance whose name "
                + "contains dots without brackets: Spring Boot reads '" + name.getElement(first, Form.ORIGINAL)
                + "' as the instance name and the rest as settings that do not exist. Only names containing dots "
                + "need brackets.", "Write the instance name in brackets: " + bracketed + " (in YAML, the key \"["
                + instance + "]\" under " + join(name, 0, first, ".") + ").", null);
    }

    private static DikeConfigurationException unknown(ConfigurationPropertyName name, int index, Node parent) {
        String parentKey = join(name, 0, index, ".");
        String wrong = name.getElement(index, Form.DASHED);
        String closest = parent.closest(wrong);
        String description = "The property " + written(name) + " is not a dike setting: " + parentKey + " has no '"
                + name.getElement(index, Form.ORIGINAL) + "'" + (closest != null ? "; did you mean `" + closest + "`?" : ".");
        String valid = "Valid keys under " + parentKey + ": " + String.join(", ", parent.children.values().stream()
                .map(child -> child.dashed).toList()) + ".";
        String action = closest != null
                ? "Rename it to " + parentKey + "." + closest + (index + 1 < name.getNumberOfElements() ? "."
                        + join(name, index + 1, name.getNumberOfElements(), ".") : "") + ", or remove it. " + valid
                : "Correct or remove it. " + valid;
        return new DikeConfigurationException(description, action, null);
    }

    /** @return the key as the user wrote it (case kept), a name containing dots in brackets */
    private static String written(ConfigurationPropertyName name) {
        return join(name, 0, name.getNumberOfElements(), ".");
    }

    private static String join(ConfigurationPropertyName name, int from, int to, String separator) {
        StringBuilder result = new StringBuilder();
        for (int i = from; i < to; i++) {
            String element = name.getElement(i, Form.ORIGINAL);
            if (name.isNumericIndex(i) || element.contains(".")) {
                result.append('[').append(element).append(']');
            } else {
                result.append(result.length() == 0 ? "" : separator).append(element);
            }
        }
        return result.toString();
    }

    /** A key of the tree of valid keys: a group of settings, a map of named instances, or a setting. */
    private static final class Node {

        private String dashed;
        /** Settings and groups below, by uniform name (lower case, no dashes). */
        private final Map<String, Node> children = new TreeMap<>();
        /** The settings of each named instance, if this is a map of objects. */
        private Node values;
        /** Whether this is a setting: whatever follows (list index, map key) is its value. */
        private boolean leaf;

        Node path(ConfigurationPropertyName name) {
            Node node = this;
            for (int i = 1; i < name.getNumberOfElements(); i++) {
                node = node.child(name.getElement(i, Form.DASHED));
            }
            return node;
        }

        Node child(String dashedName) {
            Node child = children.computeIfAbsent(dashedName.replace("-", ""), key -> new Node());
            child.dashed = dashedName;
            return child;
        }

        void leafUnlessKnown() {
            if (children.isEmpty() && values == null) {
                leaf = true;
            }
        }

        void addBean(Class<?> type) {
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    child(dashed(component.getName())).addType(ResolvableType.forMethodReturnType(component.getAccessor()));
                }
                return;
            }
            for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
                if (property.getReadMethod() != null && !property.getName().equals("class")) {
                    child(dashed(property.getName())).addType(ResolvableType.forMethodReturnType(property.getReadMethod()));
                }
            }
        }

        private void addType(ResolvableType type) {
            Class<?> raw = type.resolve(Object.class);
            if (Map.class.isAssignableFrom(raw)) {
                Class<?> valueType = type.asMap().getGeneric(1).resolve(Object.class);
                if (isGroup(valueType)) {
                    values = new Node();
                    values.addBean(valueType);
                } else {
                    leaf = true;
                }
            } else if (isGroup(raw)) {
                addBean(raw);
            } else {
                leaf = true;
            }
        }

        /** A class of dike's own that holds settings rather than being one (an enum is a setting). */
        private static boolean isGroup(Class<?> type) {
            return type.getName().startsWith("dev.dike.") && !type.isEnum() && !type.isInterface();
        }

        boolean binds(ConfigurationPropertyName name, int from) {
            Node node = this;
            for (int i = from; i < name.getNumberOfElements(); i++) {
                if (node.leaf) {
                    return true;
                }
                if (node.values != null) {
                    node = node.values;
                    continue;
                }
                node = node.children.get(name.getElement(i, Form.UNIFORM));
                if (node == null) {
                    return false;
                }
            }
            return node.leaf;
        }

        /** @return the dashed name of the child closest to {@code wrong}, if close enough to be a typo */
        String closest(String wrong) {
            String best = null;
            int bestDistance = Integer.MAX_VALUE;
            for (Node child : children.values()) {
                int distance = distance(wrong, child.dashed);
                if (distance < bestDistance) {
                    best = child.dashed;
                    bestDistance = distance;
                }
            }
            return bestDistance <= Math.max(2, wrong.length() / 3) ? best : null;
        }
    }

    private static String dashed(String camelCase) {
        StringBuilder result = new StringBuilder();
        for (char c : camelCase.toCharArray()) {
            if (Character.isUpperCase(c)) {
                result.append('-').append(Character.toLowerCase(c));
            } else {
                result.append(c);
            }
        }
        return result.toString();
    }

    /** Levenshtein distance, an adjacent swap counting as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
