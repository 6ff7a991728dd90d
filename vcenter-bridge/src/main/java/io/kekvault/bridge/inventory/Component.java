package io.kekvault.bridge.inventory;

/**
 * A VM component: the VM home ({@link #HOME}) or a disk. {@code key} is null for a plaintext
 * component; for an encrypted one it is all the bridge knows about its keys.
 *
 * @param sizeBytes disk size; null for the VM home
 * @param policy    the storage policy applied to the component
 */
public record Component(String name, int position, Long sizeBytes, String policy, KeyRef key) {
    public static final String HOME = "home";

    public boolean isHome() {
        return HOME.equals(name);
    }

    public boolean encrypted() {
        return key != null;
    }

    public Component withKey(KeyRef k) {
        return new Component(name, position, sizeBytes, policy, k);
    }

    public Component withPolicy(String p) {
        return new Component(name, position, sizeBytes, p, key);
    }
}
