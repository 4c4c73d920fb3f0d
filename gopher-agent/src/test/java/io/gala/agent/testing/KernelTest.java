package io.gala.agent.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that loads eBPF programs into the running kernel or changes namespaces, qdiscs or
 * cgroups: it needs root. Without root it fails with a message saying so; it never passes silently.
 * Run only these with {@code ./gala test --kernel}, none of them with {@code ./gala test --unit}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(RequiresRoot.class)
public @interface KernelTest {}
