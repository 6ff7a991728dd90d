package io.kekvault.esxi.crypto;

class JceXtsEngineTest extends XtsEngineContract {

    @Override
    XtsEngineFactory factory() {
        return XtsEngines.jce();
    }
}
