package io.kekvault.bridge.inventory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A virtual machine of the inventory: where it runs and its components (home first, then disks). */
public record Vm(String name, String uuid, String cluster, String host, Power power, List<Component> components) {

    public enum Power { ON, OFF;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Vm {
        components = List.copyOf(components);
    }

    public Component home() {
        return components.stream().filter(Component::isHome).findFirst()
                .orElseThrow(() -> new IllegalStateException("VM " + name + " has no home component"));
    }

    public List<Component> disks() {
        return components.stream().filter(c -> !c.isHome()).toList();
    }

    public Optional<Component> component(String componentName) {
        return components.stream().filter(c -> c.name().equals(componentName)).findFirst();
    }

    public List<Component> encryptedDisks() {
        return disks().stream().filter(Component::encrypted).toList();
    }

    public boolean anyEncrypted() {
        return components.stream().anyMatch(Component::encrypted);
    }

    /** The distinct KEKs protecting this VM's components. */
    public Set<KeyRef> keys() {
        Set<KeyRef> out = new LinkedHashSet<>();
        components.forEach(c -> {
            if (c.key() != null) {
                out.add(c.key());
            }
        });
        return out;
    }
}
