package dev.dike.spring.aop;

import dev.dike.spring.DikeConfigurationException;
import dev.dike.spring.autoconfigure.DikeProperties.MissingKey;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The shape of a single-item {@code @Batch(bulkMethod = ...)} method: each call is one row (its
 * first argument, the key), submitted with distinct rows so that the batcher sends each key of a
 * batch once; the batch's call is the bean's bulk method, called on the target bean with the
 * distinct keys and the shared batch-key arguments. A {@code Map} result is matched by key (a
 * missing key becomes a marker that {@link #toDeclared} turns into {@code null} or a failure of
 * that caller alone), a {@code List} result by position (the core checks its size).
 *
 * <p>Immutable; built and checked once per method at startup by {@link #of}, which reports every
 * mismatch between the two methods at once.
 */
final class BulkSignature implements BatchShape {

    /** A key the bulk method's Map has no entry for; never equal to a user's value. */
    private record Missing(Object key) {
    }

    private final ReturnKind kind;
    private final Method advised;
    private final Method bulk;
    private final ReturnKind bulkKind;
    private final boolean setOfKeys;
    private final boolean mapResult;
    private final String instance;
    private final MissingKey missingKey;

    private BulkSignature(ReturnKind kind, Method advised, Method bulk, ReturnKind bulkKind, boolean setOfKeys,
            boolean mapResult, String instance, MissingKey missingKey) {
        this.kind = kind;
        this.advised = advised;
        this.bulk = bulk;
        this.bulkKind = bulkKind;
        this.setOfKeys = setOfKeys;
        this.mapResult = mapResult;
        this.instance = instance;
        this.missingKey = missingKey;
    }

    /**
     * @param where       the single-item method
     * @param kind        the kind of its return type, or {@code null} if unsupported
     * @param bulkName    the {@code bulkMethod} attribute
     * @param instance    the batcher's instance name, for messages
     * @param missingKey  what a caller whose key the Map lacks gets
     * @param withReactor whether Reactor is on the class path (a bulk method may return a {@code Mono})
     * @return its shape
     * @throws DikeConfigurationException naming both methods and every part that does not fit
     */
    static BulkSignature of(AdvisedMethod where, ReturnKind kind, String bulkName, String instance,
            MissingKey missingKey, boolean withReactor) {
        Method method = where.method();
        Class<?> bean = where.targetClass();
        List<String> problems = new ArrayList<>();
        Class<?> key = null;
        ResolvableType keyType = null;
        if (method.getParameterCount() == 0) {
            problems.add("it has no parameter: its first parameter is the item (the key)");
        } else {
            keyType = ResolvableType.forMethodParameter(method, 0, bean);
            key = boxed(keyType.resolve(Object.class));
        }
        Class<?> value = null;
        ResolvableType valueType = null;
        ResolvableType returned = ResolvableType.forMethodReturnType(method, bean);
        if (kind == null || kind == ReturnKind.FLUX) {
            problems.add("its return type " + method.getGenericReturnType().getTypeName() + " is not supported");
        } else if (kind == ReturnKind.PLAIN && method.getReturnType() == void.class) {
            problems.add("it returns void: it must return the key's value, plain or in a CompletableFuture, "
                    + "CompletionStage or Mono");
        } else if (kind == ReturnKind.PLAIN && method.getReturnType().isPrimitive()) {
            problems.add("it returns " + method.getReturnType() + ", which cannot be null for a missing key; return "
                    + boxed(method.getReturnType()).getSimpleName());
        } else {
            valueType = kind == ReturnKind.PLAIN ? returned : returned.getGeneric(0);
            value = boxed(valueType.resolve(Object.class));
        }

        List<Method> candidates = Arrays.stream(ReflectionUtils.getUniqueDeclaredMethods(bean,
                ReflectionUtils.USER_DECLARED_METHODS)).filter(candidate -> candidate.getName().equals(bulkName)).toList();
        List<Method> overloads = candidates.stream().filter(candidate -> Modifier.isPublic(candidate.getModifiers())
                && candidate.getParameterCount() == method.getParameterCount()).toList();
        if (overloads.size() > 1) {
            // Which one reflection lists first is unspecified: picking one would make startup depend on it.
            problems.add("the bean has " + overloads.size() + " public methods named '" + bulkName + "' with "
                    + method.getParameterCount() + " parameter(s) ("
                    + overloads.stream().map(overload -> describe(bean, overload)).sorted().collect(Collectors.joining(", "))
                    + "): give the bulk method a name of its own");
            throw wrong(where, bean.getSimpleName() + "." + bulkName, problems, key, value, method);
        }
        Method bulk = overloads.stream().findFirst()
                .orElse(candidates.stream().filter(candidate -> Modifier.isPublic(candidate.getModifiers())).findFirst()
                        .orElse(candidates.isEmpty() ? null : candidates.get(0)));
        String bulkText = bulk == null ? bean.getSimpleName() + "." + bulkName : describe(bean, bulk);
        if (bulk == null) {
            problems.add("the bean has no method named '" + bulkName + "'");
            throw wrong(where, bulkText, problems, key, value, method);
        }
        if (!Modifier.isPublic(bulk.getModifiers())) {
            problems.add("the bulk method is not public");
        }
        boolean setOfKeys = false;
        Class<?>[] single = method.getParameterTypes();
        Class<?>[] many = bulk.getParameterTypes();
        if (single.length > 0 && many.length != single.length) {
            problems.add("the bulk method takes " + many.length + " parameter(s); it needs " + single.length
                    + ": a Collection, Set or List of the keys" + (single.length > 1 ? ", then the same batch-key "
                    + "parameters as the single method" : ""));
        }
        if (many.length > 0) {
            Class<?> keys = many[0];
            if (!Collection.class.isAssignableFrom(keys)
                    || !(keys.isAssignableFrom(ArrayList.class) || keys.isAssignableFrom(LinkedHashSet.class))) {
                problems.add("its first parameter is a " + keys.getSimpleName() + ", not a Collection, Set or List of the keys");
            } else {
                setOfKeys = !keys.isAssignableFrom(ArrayList.class);
                ResolvableType element = ResolvableType.forMethodParameter(bulk, 0, bean).asCollection().getGeneric(0);
                if (keyType != null && !fits(element, keyType)) {
                    problems.add("its first parameter holds " + name(element) + ", but the key is a " + name(keyType));
                }
            }
        }
        for (int index = 1; index < Math.min(single.length, many.length); index++) {
            ResolvableType bulkParameter = ResolvableType.forMethodParameter(bulk, index, bean);
            ResolvableType batchKey = ResolvableType.forMethodParameter(method, index, bean);
            if (!fits(bulkParameter, batchKey) || many[index].isPrimitive() != single[index].isPrimitive()) {
                problems.add("its parameter " + (index + 1) + " is a " + name(bulkParameter)
                        + ", but the single method's batch key there is a " + name(batchKey));
            }
        }
        ReturnKind bulkKind = ReturnKind.of(bulk.getReturnType());
        if (bulkKind == ReturnKind.MONO && !withReactor) {
            bulkKind = null;
        }
        boolean mapResult = false;
        if (bulkKind == null || bulkKind == ReturnKind.FLUX) {
            problems.add("its return type " + bulk.getGenericReturnType().getTypeName() + " is not supported");
        } else {
            ResolvableType bulkReturned = ResolvableType.forMethodReturnType(bulk, bean);
            ResolvableType result = bulkKind == ReturnKind.PLAIN ? bulkReturned : bulkReturned.getGeneric(0);
            Class<?> resultClass = result.resolve(Object.class);
            ResolvableType bulkValue;
            if (Map.class.isAssignableFrom(resultClass)) {
                mapResult = true;
                ResolvableType mapKey = result.asMap().getGeneric(0);
                if (keyType != null && !fits(mapKey, keyType)) {
                    problems.add("its Map's keys are " + name(mapKey) + ", but the key is a " + name(keyType));
                }
                bulkValue = result.asMap().getGeneric(1);
            } else if (List.class.isAssignableFrom(resultClass)) {
                bulkValue = result.asCollection().getGeneric(0);
            } else {
                bulkValue = null;
                problems.add("it returns " + bulk.getGenericReturnType().getTypeName()
                        + ", not a Map from key to value or a List of values");
            }
            if (valueType != null && bulkValue != null && !fits(valueType, bulkValue)) {
                problems.add("its values are " + name(bulkValue) + ", but the single method returns " + name(valueType));
            }
        }
        if (!problems.isEmpty()) {
            throw wrong(where, bulkText, problems, key, value, method);
        }
        ReflectionUtils.makeAccessible(bulk); // a public method of a class that is not public
        return new BulkSignature(kind, method, bulk, bulkKind, setOfKeys, mapResult, instance, missingKey);
    }

    private static DikeConfigurationException wrong(AdvisedMethod where, String bulk, List<String> problems,
            Class<?> key, Class<?> value, Method method) {
        StringBuilder text = new StringBuilder("Invalid @Batch method: " + where.describe()
                + " cannot use its bulkMethod " + bulk + ": ");
        for (int index = 0; index < problems.size(); index++) {
            text.append(index == 0 ? "" : "; ").append(problems.size() > 1 ? "(" + (index + 1) + ") " : "")
                    .append(problems.get(index));
        }
        String keyName = key == null ? "K" : key.getSimpleName();
        String valueName = value == null ? "V" : value.getSimpleName();
        String batchKeys = Arrays.stream(method.getParameterTypes()).skip(1).map(type -> ", " + type.getSimpleName())
                .collect(Collectors.joining());
        return new DikeConfigurationException(text.append('.').toString(),
                "Declare a public bulk method on the same bean such as Map<" + keyName + ", " + valueName + "> "
                        + bulk.substring(bulk.lastIndexOf('.') + 1).replaceAll("\\(.*", "") + "(Collection<" + keyName
                        + ">" + batchKeys + "), taking a Collection, Set or List of the keys followed by the single "
                        + "method's other parameters, and returning a Map from key to value or a List of values in "
                        + "key order, plain or in a CompletableFuture, CompletionStage or Mono.", null);
    }

    /**
     * @return whether a value declared as {@code from} may be passed where {@code to} is declared,
     *         generic arguments included ({@code List<Integer>} does not fit {@code List<String>}): a
     *         primitive counts as its box, a wildcard or a variable as its bound ({@code ? super X} as
     *         {@code Object}, since values read from it may be anything), and an unknown type (raw, or a
     *         variable the bean does not bind) fits as far as its class does
     */
    static boolean fits(ResolvableType to, ResolvableType from) {
        if (from.resolve() == null) {
            return true; // raw, unbounded or unbound: nothing is known to check
        }
        Class<?> fromClass = from.getType() instanceof WildcardType wildcard && wildcard.getLowerBounds().length > 0
                ? Object.class : boxed(from.resolve(Object.class));
        if (!boxed(to.resolve(Object.class)).isAssignableFrom(fromClass)) {
            return false;
        }
        if (to.getType() instanceof WildcardType || from.getType() instanceof WildcardType
                || !to.hasGenerics() || !from.hasGenerics() || to.hasUnresolvableGenerics()
                || from.hasUnresolvableGenerics()) {
            return true; // the class is all that is known
        }
        return to.isAssignableFrom(from);
    }

    /** @return a type as a message names it: {@code String}, {@code List<Integer>} */
    private static String name(ResolvableType type) {
        String full;
        if (type.getType() instanceof WildcardType) {
            full = type.getType().getTypeName();
        } else if (type.hasGenerics()) {
            full = type.toString();
        } else {
            Class<?> resolved = type.resolve();
            return resolved != null ? resolved.getSimpleName() : type.getType().getTypeName();
        }
        return full.replaceAll("(?:[a-z_][\\w]*\\.)+", "").replace('$', '.');
    }

    private static String describe(Class<?> bean, Method method) {
        return bean.getSimpleName() + "." + method.getName() + "(" + Arrays.stream(method.getParameterTypes())
                .map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }

    private static Class<?> boxed(Class<?> type) {
        return ClassUtils.resolvePrimitiveIfNecessary(type);
    }

    @Override
    public ReturnKind kind() {
        return kind;
    }

    @Override
    public boolean distinct() {
        return true;
    }

    /** @return one column of one row: the key, which may be {@code null} */
    @Override
    public List<List<Object>> columns(Object[] args) {
        return List.of(Collections.singletonList(args[0]));
    }

    @Override
    public Object[] keyArguments(Object[] args) {
        return Arrays.copyOfRange(args, 1, args.length);
    }

    /** Calls the bulk method on the target bean with the batch's distinct keys and the shared batch keys. */
    @Override
    public Object call(MethodInvocation invocation, List<List<Object>> columns) throws Throwable {
        Object[] args = invocation.getArguments().clone();
        List<Object> keys = columns.get(0);
        args[0] = setOfKeys ? new LinkedHashSet<>(keys) : new ArrayList<>(keys);
        try {
            return bulk.invoke(invocation.getThis(), args);
        } catch (InvocationTargetException thrown) {
            throw thrown.getCause();
        }
    }

    @Override
    public ReturnKind resultKind() {
        return bulkKind;
    }

    @Override
    public Method called(Method advised) {
        return bulk;
    }

    /** @return for a Map, its value for each key sent in order, or a marker for a key it lacks; a List as it is */
    @Override
    @SuppressWarnings("unchecked")
    public List<Object> resultRows(Object result, List<List<Object>> columns) {
        if (result == null || !mapResult) {
            return (List<Object>) result;
        }
        Map<Object, Object> values = (Map<Object, Object>) result;
        List<Object> keys = columns.get(0);
        List<Object> rows = new ArrayList<>(keys.size());
        for (Object key : keys) {
            Object value = lookUp(values, key);
            rows.add(value == null && !contains(values, key) ? new Missing(key) : value);
        }
        return rows;
    }

    /** Looks a key up; a map that refuses {@code null} keys (such as {@code Map.of}) has no entry for it. */
    private static Object lookUp(Map<Object, Object> values, Object key) {
        try {
            return values.get(key);
        } catch (NullPointerException | ClassCastException refused) {
            return null;
        }
    }

    private static boolean contains(Map<Object, Object> values, Object key) {
        try {
            return values.containsKey(key);
        } catch (NullPointerException | ClassCastException refused) {
            return false;
        }
    }

    /**
     * @return the value of the caller's key; {@code null} for a key the Map lacks
     * @throws NoSuchElementException for a key the Map lacks under {@code missing-key: fail}
     */
    @Override
    public Object toDeclared(List<Object> slice) {
        Object value = slice.get(0);
        if (!(value instanceof Missing missing)) {
            return value;
        }
        if (missingKey == MissingKey.FAIL) {
            throw new NoSuchElementException("Bulk method " + describe(bulk.getDeclaringClass(), bulk)
                    + " returned no value for key '" + missing.key() + "' asked by "
                    + describe(advised.getDeclaringClass(), advised) + " (batch instance '" + instance
                    + "' has missing-key: fail)");
        }
        return null;
    }
}
