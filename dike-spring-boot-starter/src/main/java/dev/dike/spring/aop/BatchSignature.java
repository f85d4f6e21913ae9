package dev.dike.spring.aop;

import dev.dike.spring.DikeConfigurationException;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.springframework.core.ResolvableType;

/**
 * The shape of a {@code @Batch} method: which parameters are batched ({@code List} or array) and
 * which are batch keys, and how its result is delivered. Merges the batched arguments of many calls
 * into one call and turns the result back into each caller's declared type.
 */
final class BatchSignature implements BatchShape {

    private final ReturnKind kind;
    // Per parameter: null for a batch key, LIST for a List, else the component type of the array.
    private final Class<?>[] batchedComponent;
    private final int[] batched;
    // null when the method's result is a List, else the component type of its array result.
    private final Class<?> resultComponent;

    private static final Class<?> LIST = List.class;

    private BatchSignature(ReturnKind kind, Class<?>[] batchedComponent, int[] batched, Class<?> resultComponent) {
        this.kind = kind;
        this.batchedComponent = batchedComponent;
        this.batched = batched;
        this.resultComponent = resultComponent;
    }

    /**
     * @param where the method
     * @param kind  the kind of its return type, or {@code null} if unsupported
     * @return its batch signature
     * @throws DikeConfigurationException naming the bean, the method and what is wrong
     */
    static BatchSignature of(AdvisedMethod where, ReturnKind kind) {
        Method method = where.method();
        Class<?>[] parameters = method.getParameterTypes();
        Class<?>[] components = new Class<?>[parameters.length];
        List<Integer> batched = new ArrayList<>();
        for (int i = 0; i < parameters.length; i++) {
            Class<?> type = parameters[i];
            if (type.isArray()) {
                components[i] = type.getComponentType();
                batched.add(i);
            } else if (List.class.isAssignableFrom(type)) {
                if (!type.isAssignableFrom(ArrayList.class)) {
                    throw wrong(where, "its parameter " + (i + 1) + " of type " + type.getSimpleName()
                            + " cannot receive the merged list", "Declare the parameter as List.");
                }
                components[i] = LIST;
                batched.add(i);
            }
        }
        if (batched.isEmpty()) {
            throw wrong(where, "it has no List or array parameter to batch",
                    "Give the method at least one List or array parameter whose element i is input row i.");
        }
        if (kind == null || kind == ReturnKind.FLUX) {
            throw wrong(where, "its return type " + method.getGenericReturnType().getTypeName()
                    + " is not supported; each caller receives one slice of the batch result",
                    "Return a List or an array, or a CompletableFuture, CompletionStage or Mono of one.");
        }
        ResolvableType returned = ResolvableType.forMethodReturnType(method, where.targetClass());
        Class<?> result = kind == ReturnKind.PLAIN ? returned.resolve() : returned.getGeneric(0).resolve();
        Class<?> resultComponent;
        if (result != null && result.isArray()) {
            resultComponent = result.getComponentType();
        } else if (result != null && result.isAssignableFrom(ArrayList.class) && List.class.isAssignableFrom(result)) {
            resultComponent = null;
        } else {
            throw wrong(where, "its return type " + method.getGenericReturnType().getTypeName()
                    + " is not a List or an array" + (kind == ReturnKind.PLAIN ? "" : " inside the " + kind.name().toLowerCase()),
                    "Return a List or an array whose element i belongs to input row i, or a CompletableFuture, "
                            + "CompletionStage or Mono of one.");
        }
        return new BatchSignature(kind, components, batched.stream().mapToInt(Integer::intValue).toArray(),
                resultComponent);
    }

    private static DikeConfigurationException wrong(AdvisedMethod where, String problem, String action) {
        return new DikeConfigurationException("Invalid @Batch method: " + where.describe() + " cannot be batched: "
                + problem + ".", action, null);
    }

    @Override
    public ReturnKind kind() {
        return kind;
    }

    @Override
    public boolean distinct() {
        return false;
    }

    /** @return one call's batched arguments as columns of rows; a {@code null} argument stays null */
    @Override
    public List<List<Object>> columns(Object[] args) {
        List<List<Object>> columns = new ArrayList<>(batched.length);
        for (int index : batched) {
            columns.add(rows(args[index]));
        }
        return columns;
    }

    /** @return the arguments that are batch keys, in order; batched positions are left out */
    @Override
    public Object[] keyArguments(Object[] args) {
        Object[] keys = new Object[args.length - batched.length];
        int next = 0;
        for (int i = 0; i < args.length; i++) {
            if (batchedComponent[i] == null) {
                keys[next++] = args[i];
            }
        }
        return keys;
    }

    /**
     * @param template the arguments of one call of the batch (its keys are shared by all)
     * @param columns  the merged batched arguments
     * @return the arguments of the one merged call: Lists as new lists, arrays of their component type
     */
    Object[] mergedArguments(Object[] template, List<List<Object>> columns) {
        Object[] merged = template.clone();
        for (int c = 0; c < batched.length; c++) {
            int index = batched[c];
            List<Object> column = columns.get(c);
            if (batchedComponent[index] == LIST) {
                merged[index] = new ArrayList<>(column);
            } else {
                Object array = Array.newInstance(batchedComponent[index], column.size());
                for (int row = 0; row < column.size(); row++) {
                    Array.set(array, row, column.get(row));
                }
                merged[index] = array;
            }
        }
        return merged;
    }

    /** Runs the method itself once, through the rest of the interceptor chain, with the merged arguments. */
    @Override
    public Object call(MethodInvocation invocation, List<List<Object>> columns) throws Throwable {
        return Invocations.proceedWith(invocation, mergedArguments(invocation.getArguments(), columns));
    }

    @Override
    public ReturnKind resultKind() {
        return kind;
    }

    @Override
    public Method called(Method advised) {
        return advised;
    }

    /** @return the rows of the merged call's result, a List or an array; {@code null} stays null */
    @Override
    public List<Object> resultRows(Object result, List<List<Object>> columns) {
        return rows(result);
    }

    /** @return one caller's slice in the declared element type: the List itself, or an array */
    @Override
    public Object toDeclared(List<Object> slice) {
        if (resultComponent == null) {
            return slice;
        }
        Object array = Array.newInstance(resultComponent, slice.size());
        for (int row = 0; row < slice.size(); row++) {
            Array.set(array, row, slice.get(row));
        }
        return array;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> rows(Object listOrArray) {
        if (listOrArray == null || listOrArray instanceof List) {
            return (List<Object>) listOrArray;
        }
        if (listOrArray instanceof Object[] objects) {
            return Arrays.asList(objects);
        }
        int length = Array.getLength(listOrArray);
        List<Object> rows = new ArrayList<>(length);
        for (int row = 0; row < length; row++) {
            rows.add(Array.get(listOrArray, row));
        }
        return rows;
    }
}
